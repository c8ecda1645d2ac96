// What goes into an image and how it comes back: zero pages left out, two
// checkpoints restartable from either, one image restartable twice, interval
// checkpoints and the restart script.
#include <signal.h>
#include <sys/stat.h>

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "testsuite/harness/sandbox.h"

namespace dmtcp_test {
namespace {

// The value of "key":<number> in readdmtcp's JSON (the last occurrence: "total").
long long JsonNumber(const std::string& json, const std::string& key, bool last = false) {
  const std::string needle = "\"" + key + "\":";
  size_t at = last ? json.rfind(needle) : json.find(needle);
  if (at == std::string::npos) return -1;
  long long v = -1;
  size_t end = json.find_first_of(",}", at);
  absl::SimpleAtoi(json.substr(at + needle.size(), end - at - needle.size()), &v);
  return v;
}

TEST(Image, GigabyteOfPatternAndZerosRoundTripsWithoutStoringZeroPages) {
  Sandbox box;
  const pid_t pid = box.Launch({ProbePath("memory"), "go"}, "memory", {"--no-gzip"});
  ASSERT_TRUE(box.WaitForLine("memory", "ready", absl::Seconds(60))) << ReadFile(box.Path("memory.err"));
  ASSERT_EQ(box.Command({"-bc"}).exit.code, 0);
  kill(pid, SIGKILL);
  box.Wait(pid);
  ASSERT_EQ(box.Images().size(), 1u);

  Output info = box.Run({ToolPath("readdmtcp"), "--json", box.Images()[0]});
  ASSERT_EQ(info.exit.code, 0) << info.err;
  const long long stored = JsonNumber(info.out, "stored", true);
  const long long zero = JsonNumber(info.out, "zero", true);
  const long long mib = 1 << 20;
  EXPECT_GE(stored, 512 * mib) << "the random half must be stored";
  EXPECT_LT(stored, 512 * mib + 64 * mib) << "zero pages were stored";
  EXPECT_GE(zero, 512 * mib) << "the zero half must be left out";
  struct stat st;
  ASSERT_EQ(stat(box.Images()[0].c_str(), &st), 0);
  EXPECT_LT(st.st_size, 600 * mib) << "the image holds zero pages";

  const pid_t restarted = box.Restart(box.Images(), "restart");
  WriteFile(box.Path("go"), "");
  Exit e = box.Wait(restarted, absl::Seconds(120));
  const std::string out = ReadFile(box.Path("memory.out"));
  EXPECT_TRUE(e.exited && e.code == 0) << e.Describe() << "\n" << out << ReadFile(box.Path("restart.err"));
  EXPECT_NE(out.find("memory ok"), std::string::npos) << out;
}

// Restarts write to dmtcp_restart's stdout (the original output file is moved away),
// so each run shows where it started.
class CounterRuns {
 public:
  explicit CounterRuns(Sandbox* box) : box_(box) {}
  // Restarts `image`, waits for it to finish, returns the numbers it printed.
  std::vector<long> Run(const std::string& image, const std::string& log) {
    const pid_t pid = box_->Restart({image}, log);
    Exit e = box_->Wait(pid);
    EXPECT_EQ(e.code, 42) << e.Describe() << ": " << ReadFile(box_->Path(log + ".err"));
    return Numbers(ReadFile(box_->Path(log + ".out")));
  }

 private:
  Sandbox* box_;
};

void ExpectRun(const std::vector<long>& run, long first_at_least, long first_at_most) {
  ASSERT_FALSE(run.empty());
  EXPECT_GE(run.front(), first_at_least);
  EXPECT_LE(run.front(), first_at_most);
  for (size_t i = 1; i < run.size(); i++) ASSERT_EQ(run[i], run[i - 1] + 1);
  EXPECT_EQ(run.back(), 400);
}

TEST(Image, TwoCheckpointsRestartFromEitherAndTwiceFromOne) {
  Sandbox box;
  const pid_t pid = box.Launch({ProbePath("counter"), "400", "10"}, "counter");
  ASSERT_TRUE(box.WaitForLine("counter", "20"));
  ASSERT_EQ(box.Command({"-bc"}).exit.code, 0);
  const long first_mark = Numbers(ReadFile(box.Path("counter.out"))).back();
  ASSERT_EQ(box.Images().size(), 1u);
  const std::string image = box.Images()[0];
  const std::string first = box.Path("first.dmtcp.saved");
  ASSERT_EQ(link(image.c_str(), first.c_str()), 0);  // the second checkpoint replaces the file
  ASSERT_TRUE(box.WaitForLine("counter", std::to_string(first_mark + 60)));
  ASSERT_EQ(box.Command({"-bc"}).exit.code, 0);
  const long second_mark = Numbers(ReadFile(box.Path("counter.out"))).back();
  kill(pid, SIGKILL);
  box.Wait(pid);
  ASSERT_EQ(rename(box.Path("counter.out").c_str(), box.Path("counter.first").c_str()), 0);

  CounterRuns runs(&box);
  std::vector<long> from_second = runs.Run(image, "second");
  ExpectRun(from_second, first_mark + 60, second_mark + 1);
  std::vector<long> from_first = runs.Run(first, "first");
  ExpectRun(from_first, 20, first_mark + 1);
  std::vector<long> again = runs.Run(first, "first_again");
  EXPECT_EQ(again, from_first) << "the same image must restart the same way";
}

TEST(Image, IntervalCheckpointsAndTheRestartScript) {
  Sandbox box;
  const pid_t pid = box.Launch({ProbePath("counter"), "2000", "5"}, "counter", {"--interval", "1"});
  ASSERT_TRUE(box.WaitForLine("counter", "10"));
  // Wait until the coordinator has taken at least two checkpoints on its own.
  long long number = 0;
  for (int i = 0; i < 100 && number < 2; i++) {
    usleep(100 * 1000);
    if (box.Images().empty()) continue;
    Output info = box.Run({ToolPath("readdmtcp"), "--json", box.Images()[0]});
    if (info.exit.code == 0) number = JsonNumber(info.out, "checkpoint");
  }
  ASSERT_GE(number, 2) << "no interval checkpoints";
  ASSERT_EQ(box.Command({"-i", "0"}).exit.code, 0);  // no more while we kill it
  usleep(300 * 1000);
  kill(pid, SIGKILL);
  box.Wait(pid);

  const std::string script = box.Path("dmtcp_restart_script.sh");
  ASSERT_TRUE(FileExists(script)) << "the coordinator wrote no restart script";
  const pid_t restarted = box.Spawn({"/bin/bash", script}, "script");
  Exit e = box.Wait(restarted);
  EXPECT_EQ(e.code, 42) << e.Describe() << ": " << ReadFile(box.Path("script.err"));
  std::vector<long> all = Numbers(ReadFile(box.Path("counter.out")));
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.back(), 2000);
  for (size_t i = 1; i < all.size(); i++) ASSERT_EQ(all[i], all[i - 1] + 1);
}

}  // namespace
}  // namespace dmtcp_test
