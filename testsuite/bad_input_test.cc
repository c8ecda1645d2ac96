// Bad input gets one clear line and exit 99 (or $DMTCP_FAIL_RC), never a crash:
// missing, empty, truncated, corrupted (a byte flipped anywhere), foreign-arch and
// newer-format images, and bad command lines.
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "arch/arch.h"
#include "core/image/checksum.h"
#include "core/image/format.h"
#include "core/image/reader.h"
#include "gtest/gtest.h"
#include "testsuite/harness/sandbox.h"

namespace dmtcp_test {
namespace {

// One image per codec, made once for the whole suite.
class BadInput : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    box_ = new Sandbox();
    for (const char* codec : {"--gzip", "--no-gzip"}) {
      const std::string log = std::string("counter") + codec;
      const pid_t pid = box_->Launch({ProbePath("counter"), "100000", "5"}, log, {codec});
      ASSERT_TRUE(box_->WaitForLine(log, "5"));
      ASSERT_EQ(box_->Command({"-bc"}).exit.code, 0);
      kill(pid, SIGKILL);
      box_->Wait(pid);
      ASSERT_EQ(box_->Images().size(), 1u);
      const std::string saved = box_->Path(std::string("image") + codec);
      ASSERT_EQ(rename(box_->Images()[0].c_str(), saved.c_str()), 0);
      images_.push_back(saved);
    }
  }
  static void TearDownTestSuite() {
    delete box_;
    box_ = nullptr;
    images_.clear();
  }

  // Restarting `image` must fail with `code`, one line naming the problem, no signal.
  void ExpectRejected(const std::string& image, const std::string& expected_words,
                      int code = 99, const std::vector<std::string>& env = {}) {
    Output o = box_->Run({ToolPath("dmtcp_restart"), "--join-coordinator", image}, env);
    EXPECT_TRUE(o.exit.exited) << image << ": " << o.exit.Describe() << "\n" << o.err;
    EXPECT_EQ(o.exit.code, code) << image << ": " << o.err;
    std::vector<std::string> lines = absl::StrSplit(o.err, '\n', absl::SkipEmpty());
    EXPECT_EQ(lines.size(), 1u) << "expected one line, got:\n" << o.err;
    EXPECT_EQ(o.err.rfind("dmtcp_restart: ", 0), 0u) << o.err;
    EXPECT_NE(o.err.find(expected_words), std::string::npos)
        << "message lacks '" << expected_words << "': " << o.err;
  }

  std::string Mutated(const std::string& image, const std::string& name,
                      const std::function<void(std::string*)>& change) {
    std::string bytes = ReadFile(image);
    change(&bytes);
    const std::string path = box_->Path(name);
    WriteFile(path, bytes);
    return path;
  }

  static Sandbox* box_;
  static std::vector<std::string> images_;
};

Sandbox* BadInput::box_;
std::vector<std::string> BadInput::images_;

TEST_F(BadInput, MissingImage) { ExpectRejected(box_->Path("no-such.dmtcp"), "cannot open"); }

TEST_F(BadInput, EmptyImage) {
  WriteFile(box_->Path("empty.dmtcp"), "");
  ExpectRejected(box_->Path("empty.dmtcp"), "empty");
}

TEST_F(BadInput, NotAnImage) {
  WriteFile(box_->Path("text.dmtcp"), std::string(10000, 'x'));
  ExpectRejected(box_->Path("text.dmtcp"), "not a checkpoint image");
}

TEST_F(BadInput, TruncatedImages) {
  for (const std::string& image : images_) {
    const size_t size = ReadFile(image).size();
    for (size_t keep : {size_t{100}, size / 3, size / 2, size - 1}) {
      std::string path = Mutated(image, absl::StrCat("cut", keep), [&](std::string* b) { b->resize(keep); });
      ExpectRejected(path, "truncated");
    }
  }
}

TEST_F(BadInput, ByteFlippedAnywhere) {
  for (const std::string& image : images_) {
    const size_t size = ReadFile(image).size();
    for (int i = 0; i < 40; i++) {
      const size_t at = (size - 1) * i / 39;
      std::string path = Mutated(image, absl::StrCat("flip", i), [&](std::string* b) { (*b)[at] ^= 0x20; });
      SCOPED_TRACE(absl::StrCat(image, " byte ", at, " of ", size));
      Output o = box_->Run({ToolPath("dmtcp_restart"), "--join-coordinator", path});
      EXPECT_TRUE(o.exit.exited) << o.exit.Describe() << "\n" << o.err;
      EXPECT_EQ(o.exit.code, 99) << o.err;
      std::vector<std::string> lines = absl::StrSplit(o.err, '\n', absl::SkipEmpty());
      EXPECT_EQ(lines.size(), 1u) << o.err;
      EXPECT_TRUE(o.err.find("corrupted") != std::string::npos ||
                  o.err.find("truncated") != std::string::npos ||
                  o.err.find("not a checkpoint image") != std::string::npos ||
                  o.err.find("format version") != std::string::npos ||
                  o.err.find("checkpointed on") != std::string::npos ||
                  o.err.find("pages") != std::string::npos)
          << o.err;
    }
  }
}

// A computation of two processes (a parent and its child, joined by pipes) whose one
// image has bad compressed data, found only while it is being restored: exactly one
// line, naming it, whichever of the two it is (the other process's restorer, waiting
// for its data or already done, says nothing).
TEST(BadComputation, CorruptedDataInOneImageOfTwoGivesOneLine) {
  Sandbox box;
  const pid_t pid = box.Launch({ProbePath("family"), box.Path("go")}, "family", {"--gzip"});
  ASSERT_TRUE(box.WaitForLine("family", "ready")) << ReadFile(box.Path("family.err"));
  ASSERT_EQ(box.Command({"-bc"}).exit.code, 0);
  kill(-pid, SIGKILL);
  kill(pid, SIGKILL);
  box.Wait(pid);
  const std::vector<std::string> images = box.Images();
  ASSERT_EQ(images.size(), 2u);
  for (size_t bad = 0; bad < images.size(); bad++) {
    SCOPED_TRACE(images[bad]);
    absl::StatusOr<img::ImageIndex> index = img::ReadImageIndex(images[bad], {0, 0});
    ASSERT_TRUE(index.ok()) << index.status();
    // The largest compressed chunk: its stored bytes are only read while restoring.
    const img::ChunkRef* target = nullptr;
    for (const img::AreaInfo& area : index->areas) {
      for (const img::ChunkRef& c : area.chunks) {
        if (c.header.codec != IMG_CODEC_NONE && (!target || c.header.stored_len > target->header.stored_len)) {
          target = &c;
        }
      }
    }
    ASSERT_NE(target, nullptr) << "no compressed chunk";
    std::vector<std::string> args = {ToolPath("dmtcp_restart")};
    for (size_t i = 0; i < images.size(); i++) {
      const std::string copy = box.Path(absl::StrCat("set", bad, "_", i, ".dmtcp"));
      std::string bytes = ReadFile(images[i]);
      if (i == bad) bytes[target->data_offset + target->header.stored_len / 2] ^= 0x01;
      WriteFile(copy, bytes);
      args.push_back(copy);
    }
    Output o = box.Run(args);
    EXPECT_EQ(o.exit.code, 99) << o.exit.Describe() << "\n" << o.err;
    std::vector<std::string> lines;
    for (absl::string_view line : absl::StrSplit(o.err, '\n', absl::SkipEmpty())) {
      // Under QEMU a process restored before the failure may have said that the kernel
      // kept its own memory layout (PR_SET_MM_MAP is refused there): not about the image.
      if (UnderEmulator() && absl::StrContains(line, "refused the saved memory layout")) continue;
      lines.emplace_back(line);
    }
    EXPECT_EQ(lines.size(), 1u) << o.err;
    EXPECT_NE(o.err.find("corrupted: checksum mismatch in the compressed data"), std::string::npos) << o.err;
  }
}

// Rewrites a header field and its checksum, as a real image of that kind would have.
std::string WithHeader(const std::string& bytes, const std::function<void(img_header*)>& change) {
  std::string out = bytes;
  img_header h;
  memcpy(&h, out.data(), sizeof h);
  change(&h);
  h.check = img_checksum(&h, offsetof(img_header, check), 0);
  memcpy(out.data(), &h, sizeof h);
  return out;
}

TEST_F(BadInput, ImageFromAnotherArch) {
  // An aarch64 image, or an x86_64 one when this build is for aarch64.
  const bool here_aarch64 = ARCH_ID == ARCH_ID_AARCH64;
  std::string path = box_->Path("foreign.dmtcp");
  WriteFile(path, WithHeader(ReadFile(images_[0]), [&](img_header* h) {
              h->arch = here_aarch64 ? ARCH_ID_X86_64 : ARCH_ID_AARCH64;
            }));
  ExpectRejected(path, here_aarch64 ? "checkpointed on x86_64" : "checkpointed on aarch64");
}

TEST_F(BadInput, NewerImageFormat) {
  std::string path = box_->Path("newer.dmtcp");
  WriteFile(path, WithHeader(ReadFile(images_[0]),
                             [](img_header* h) { h->format_version = IMG_FORMAT_VERSION + 1; }));
  ExpectRejected(path, absl::StrCat("format version ", IMG_FORMAT_VERSION + 1));
}

TEST_F(BadInput, OlderImageFormat) {
  std::string path = box_->Path("older.dmtcp");
  WriteFile(path, WithHeader(ReadFile(images_[0]),
                             [](img_header* h) { h->format_version = IMG_FORMAT_VERSION - 1; }));
  ExpectRejected(path, "use the older one");
}

TEST_F(BadInput, OtherPageSize) {
  std::string path = box_->Path("16k.dmtcp");
  WriteFile(path, WithHeader(ReadFile(images_[0]), [](img_header* h) { h->page_size = 16384; }));
  ExpectRejected(path, "16384-byte pages");
}

TEST_F(BadInput, FailRcFromTheEnvironment) {
  ExpectRejected(box_->Path("no-such.dmtcp"), "cannot open", 42, {"DMTCP_FAIL_RC=42"});
}

TEST_F(BadInput, BadCommandLines) {
  const std::vector<std::vector<std::string>> cases = {
      {ToolPath("dmtcp_restart")},
      {ToolPath("dmtcp_restart"), "--no-such-option", images_[0]},
      {ToolPath("dmtcp_restart"), "--coord-port", "x", images_[0]},
      {ToolPath("dmtcp_launch"), "--no-such-option", "true"},
      {ToolPath("dmtcp_launch"), "--join-coordinator", "/no/such/program"},
      {ToolPath("dmtcp_launch")},
      {ToolPath("dmtcp_command"), "--no-such-option"},
      {ToolPath("readdmtcp"), box_->Path("no-such.dmtcp")},
  };
  for (const auto& argv : cases) {
    Output o = box_->Run(argv);
    EXPECT_EQ(o.exit.code, 99) << argv.back() << ": " << o.exit.Describe() << " " << o.err;
    EXPECT_FALSE(o.err.empty()) << argv.back();
  }
}

TEST_F(BadInput, NoCoordinatorToJoin) {
  Output o = box_->Run({ToolPath("dmtcp_restart"), "--join-coordinator", "--coord-port", "1",
                        images_[0]});
  EXPECT_EQ(o.exit.code, 99) << o.err;
  EXPECT_NE(o.err.find("coordinator"), std::string::npos) << o.err;
  o = box_->Run({ToolPath("dmtcp_command"), "--coord-port", "1", "-s"});
  EXPECT_EQ(o.exit.code, 99) << o.err;
}

// A free TCP port of this machine (the kernel's pick, released at once).
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

bool SomeoneListensOn(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  const bool connected = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return connected;
}

// A restart that fails after it started a coordinator (corruption found while the
// memory streams) takes that coordinator down: nobody else would ever join it.
TEST_F(BadInput, FailedRestartLeavesNoCoordinatorBehind) {
  const std::string& image = images_[0];  // compressed: the flips land in chunk data
  const size_t size = ReadFile(image).size();
  for (int i = 1; i <= 3; i++) {
    const size_t at = size * i / 4;
    std::string path = Mutated(image, absl::StrCat("late-flip", i), [&](std::string* b) { (*b)[at] ^= 0x55; });
    const int port = FreePort();
    Output o = box_->Run({ToolPath("dmtcp_restart"), "--new-coordinator", "--coord-port",
                          std::to_string(port), path});
    EXPECT_EQ(o.exit.code, 99) << "byte " << at << ": " << o.err;
    EXPECT_FALSE(o.err.empty()) << "byte " << at;
    const absl::Time deadline = absl::Now() + absl::Seconds(5);
    while (SomeoneListensOn(port) && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(50));
    EXPECT_FALSE(SomeoneListensOn(port))
        << "the coordinator started on port " << port << " for a failed restart is still there ("
        << o.err << ")";
  }
}

}  // namespace
}  // namespace dmtcp_test
