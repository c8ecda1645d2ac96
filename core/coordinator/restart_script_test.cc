#include "core/coordinator/restart_script.h"

#include <stdlib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dmtcp::coordinator {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs a shell command; returns its exit code and puts its stdout in *output.
int RunShell(const std::string& command, std::string* output = nullptr) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  std::string text;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) text.append(buffer, n);
  int status = pclose(pipe);
  if (output != nullptr) *output = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class RestartScriptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* base = getenv("TEST_TMPDIR");
    dir_ = absl::StrCat(base != nullptr ? base : "/tmp", "/scriptXXXXXX");
    ASSERT_NE(mkdtemp(dir_.data()), nullptr);
    // A stand-in dmtcp_restart that records its arguments, one per line.
    fake_restart_ = dir_ + "/fake_dmtcp_restart";
    std::ofstream(fake_restart_) << "#!/bin/bash\nprintf '%s\\n' \"$@\" > ${ARGS_FILE:-" << dir_
                                 << "/args}\n";
    // A stand-in remote shell: runs the command here, the arguments going to args-HOST.
    fake_rsh_ = dir_ + "/fake_rsh";
    std::ofstream(fake_rsh_) << "#!/bin/bash\nARGS_FILE=" << dir_ << "/args-$1 bash -c \"$2\"\n";
    chmod(fake_rsh_.c_str(), 0755);
    chmod(fake_restart_.c_str(), 0755);
  }

  RestartScriptInfo Info() const {
    RestartScriptInfo info;
    info.compid = "abc-123";
    info.checkpoint = 3;
    info.taken = absl::FromUnixSeconds(1700000000);
    info.coord_host = "node1";
    info.coord_port = 7781;
    info.dmtcp_restart = fake_restart_;
    info.images = {{"node1", "/ckpt/ckpt_a.out_1.dmtcp"},
                   {"node1", "/ckpt/it's a dir/ckpt_b_2.dmtcp"}};
    return info;
  }

  // A computation on three hosts, its coordinator here at `port`.
  RestartScriptInfo ThreeHosts(int port) const {
    RestartScriptInfo info = Info();
    info.coord_host = "127.0.0.1";
    info.coord_port = port;
    info.images = {{"node1", "/ckpt/a.dmtcp"}, {"node2", "/ckpt/it's b.dmtcp"},
                   {"node1", "/ckpt/c.dmtcp"}, {"node3", "/ckpt/d.dmtcp"}};
    return info;
  }

  std::vector<std::string> ArgsOn(const std::string& host) {
    std::string path = dir_ + "/args-" + host;
    std::vector<std::string> args = absl::StrSplit(ReadFile(path), '\n', absl::SkipEmpty());
    unlink(path.c_str());
    return args;
  }

  // Runs the script with `args` and returns what the fake dmtcp_restart received.
  std::vector<std::string> RunScript(const std::string& args) {
    unlink((dir_ + "/args").c_str());
    EXPECT_EQ(RunShell(absl::StrCat(dir_, "/dmtcp_restart_script.sh ", args)), 0) << args;
    return absl::StrSplit(ReadFile(dir_ + "/args"), '\n', absl::SkipEmpty());
  }

  std::string dir_;
  std::string fake_restart_;
  std::string fake_rsh_;
};

TEST_F(RestartScriptTest, WritesAnExecutableScriptAndSymlink) {
  absl::StatusOr<std::string> path = WriteRestartScript(dir_, Info());
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ(*path, dir_ + "/dmtcp_restart_script_abc-123.sh");

  struct stat info;
  ASSERT_EQ(stat(path->c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  char target[256] = "";
  ASSERT_GT(readlink((dir_ + "/dmtcp_restart_script.sh").c_str(), target, sizeof(target) - 1),
            0);
  EXPECT_STREQ(target, "dmtcp_restart_script_abc-123.sh");

  std::string text = ReadFile(*path);
  EXPECT_EQ(text.rfind("#!/bin/bash\n", 0), 0u);
  EXPECT_THAT(text, HasSubstr("#   computation: abc-123\n"));
  EXPECT_THAT(text, HasSubstr("#   checkpoint:  3\n"));
  EXPECT_THAT(text, HasSubstr("#   taken:       2023-11-"));
  EXPECT_THAT(text, HasSubstr("#   processes:   2\n"));
  EXPECT_THAT(text, HasSubstr("#     node1: /ckpt/it's a dir/ckpt_b_2.dmtcp\n"));
  EXPECT_THAT(text, HasSubstr("dmtcp_restart='" + fake_restart_ + "'\n"));
  EXPECT_THAT(text, HasSubstr("coord_host=${DMTCP_COORD_HOST:-'node1'}\ncoord_port=${DMTCP_COORD_PORT:-7781}\n"));
  EXPECT_THAT(text, HasSubstr("  '/ckpt/it'\\''s a dir/ckpt_b_2.dmtcp'\n"));

  EXPECT_EQ(RunShell("bash -n " + *path), 0);
}

TEST_F(RestartScriptTest, DefaultRunPassesCoordinatorAndImages) {
  ASSERT_TRUE(WriteRestartScript(dir_, Info()).ok());
  EXPECT_THAT(RunScript(""),
              ElementsAre("--coord-host", "node1", "--coord-port", "7781",
                          "/ckpt/ckpt_a.out_1.dmtcp", "/ckpt/it's a dir/ckpt_b_2.dmtcp"));
}

TEST_F(RestartScriptTest, OptionsAreHonoured) {
  ASSERT_TRUE(WriteRestartScript(dir_, Info()).ok());
  EXPECT_THAT(RunScript("-h other -p 9000 --ckptdir /new/ckpt --interval=5 --quiet "
                        "--new-coordinator --restartdir '/moved here'"),
              ElementsAre("--coord-host", "other", "--coord-port", "9000", "--ckptdir",
                          "/new/ckpt", "--interval", "5", "--quiet", "--new-coordinator",
                          "/moved here/ckpt_a.out_1.dmtcp", "/moved here/ckpt_b_2.dmtcp"));
  EXPECT_THAT(RunScript("--coord-host=h2 --coord-port 1 --join-coordinator"),
              ElementsAre("--coord-host", "h2", "--coord-port", "1", "--join-coordinator",
                          "/ckpt/ckpt_a.out_1.dmtcp", "/ckpt/it's a dir/ckpt_b_2.dmtcp"));
  EXPECT_THAT(RunScript("--no-coordinator"),
              ElementsAre("--coord-host", "node1", "--coord-port", "7781", "--no-coordinator",
                          "/ckpt/ckpt_a.out_1.dmtcp", "/ckpt/it's a dir/ckpt_b_2.dmtcp"));
}

// A listening socket on 127.0.0.1 standing in for the coordinator; returns its port.
int FakeCoordinator(int* fd) {
  *fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in in = {};
  in.sin_family = AF_INET;
  in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof in;
  if (bind(*fd, reinterpret_cast<struct sockaddr*>(&in), sizeof in) != 0 || listen(*fd, 16) != 0 ||
      getsockname(*fd, reinterpret_cast<struct sockaddr*>(&in), &len) != 0) {
    return -1;
  }
  return ntohs(in.sin_port);
}

TEST_F(RestartScriptTest, EachHostRestartsItsOwnImagesThroughTheRemoteShell) {
  int listener;
  const int port = FakeCoordinator(&listener);
  ASSERT_GT(port, 0);
  ASSERT_TRUE(WriteRestartScript(dir_, ThreeHosts(port)).ok());
  const std::string script = absl::StrCat("DMTCP_REMOTE_SHELL=", fake_rsh_, " ", dir_,
                                          "/dmtcp_restart_script.sh");
  const std::string coord = std::to_string(port);
  ASSERT_EQ(RunShell(script + " --interval 5"), 0);
  EXPECT_THAT(ArgsOn("node1"), ElementsAre("--coord-host", "127.0.0.1", "--coord-port", coord,
                                           "--interval", "5", "--join-coordinator",
                                           "/ckpt/a.dmtcp", "/ckpt/c.dmtcp"));
  EXPECT_THAT(ArgsOn("node2"), ElementsAre("--coord-host", "127.0.0.1", "--coord-port", coord,
                                           "--interval", "5", "--join-coordinator",
                                           "/ckpt/it's b.dmtcp"));
  EXPECT_THAT(ArgsOn("node3"), ElementsAre("--coord-host", "127.0.0.1", "--coord-port", coord,
                                           "--interval", "5", "--join-coordinator",
                                           "/ckpt/d.dmtcp"));

  // Migration: node2's images to node9, and everything onto two hosts by a hostfile.
  ASSERT_EQ(RunShell(script + " --host node2=node9"), 0);
  EXPECT_THAT(ArgsOn("node9"), ElementsAre("--coord-host", "127.0.0.1", "--coord-port", coord,
                                           "--join-coordinator", "/ckpt/it's b.dmtcp"));
  EXPECT_THAT(ArgsOn("node2"), ElementsAre());
  EXPECT_THAT(ArgsOn("node1"), ElementsAre("--coord-host", "127.0.0.1", "--coord-port", coord,
                                           "--join-coordinator", "/ckpt/a.dmtcp", "/ckpt/c.dmtcp"));
  EXPECT_THAT(ArgsOn("node3"), ElementsAre("--coord-host", "127.0.0.1", "--coord-port", coord,
                                           "--join-coordinator", "/ckpt/d.dmtcp"));
  std::ofstream(dir_ + "/hosts") << "# where to go\nnodeA\n  nodeB # second\n\nnodeA\n";
  ASSERT_EQ(RunShell(script + " --hostfile " + dir_ + "/hosts --restartdir /moved"), 0);
  EXPECT_THAT(ArgsOn("nodeA"), ElementsAre("--coord-host", "127.0.0.1", "--coord-port", coord,
                                           "--join-coordinator", "/moved/a.dmtcp",
                                           "/moved/c.dmtcp", "/moved/d.dmtcp"));
  EXPECT_THAT(ArgsOn("nodeB"), ElementsAre("--coord-host", "127.0.0.1", "--coord-port", coord,
                                           "--join-coordinator", "/moved/it's b.dmtcp"));

  // A hostfile too short, a bad --host, and no coordinator: one line, exit 99.
  std::ofstream(dir_ + "/short") << "nodeA\n";
  std::string err;
  EXPECT_EQ(RunShell(script + " --hostfile " + dir_ + "/short 2>&1", &err), 99);
  EXPECT_THAT(err, HasSubstr("names 1 host(s); the checkpoint ran on 3: node1 node2 node3"));
  EXPECT_EQ(RunShell(script + " --host node2 2>/dev/null"), 99);
  close(listener);
  EXPECT_EQ(RunShell(script + " 2>&1", &err), 99);
  EXPECT_THAT(err, HasSubstr("no coordinator answers at 127.0.0.1:" + coord));
  EXPECT_THAT(ArgsOn("node1"), ElementsAre());  // nothing was started
}

TEST_F(RestartScriptTest, HelpAndBadOptions) {
  ASSERT_TRUE(WriteRestartScript(dir_, Info()).ok());
  std::string script = dir_ + "/dmtcp_restart_script.sh";
  std::string help;
  EXPECT_EQ(RunShell(script + " --help", &help), 0);
  EXPECT_THAT(help, HasSubstr("Usage:"));
  EXPECT_THAT(help, HasSubstr("--restartdir D"));
  EXPECT_THAT(help, HasSubstr("default: $DMTCP_COORD_HOST or node1"));
  EXPECT_EQ(RunShell(script + " --bogus 2>/dev/null"), 99);
  EXPECT_EQ(RunShell("DMTCP_FAIL_RC=42 " + script + " --bogus 2>/dev/null"), 42);
  EXPECT_EQ(RunShell(script + " --coord-port 2>/dev/null"), 99);  // missing value
  EXPECT_NE(access((dir_ + "/args").c_str(), F_OK), 0);     // never ran dmtcp_restart
}

TEST_F(RestartScriptTest, SymlinkFollowsTheNewestComputation) {
  ASSERT_TRUE(WriteRestartScript(dir_, Info()).ok());
  RestartScriptInfo other = Info();
  other.compid = "def-456";
  other.images = {{"node1", "/ckpt/other.dmtcp"}};
  ASSERT_TRUE(WriteRestartScript(dir_, other).ok());
  char target[256] = "";
  ASSERT_GT(readlink((dir_ + "/dmtcp_restart_script.sh").c_str(), target, sizeof(target) - 1),
            0);
  EXPECT_STREQ(target, "dmtcp_restart_script_def-456.sh");
  EXPECT_EQ(access((dir_ + "/dmtcp_restart_script_abc-123.sh").c_str(), F_OK), 0);
  EXPECT_THAT(RunScript(""), ElementsAre("--coord-host", "node1", "--coord-port", "7781",
                                         "/ckpt/other.dmtcp"));
}

TEST_F(RestartScriptTest, UnwritableDirectoryIsAnError) {
  absl::StatusOr<std::string> path = WriteRestartScript(dir_ + "/missing", Info());
  ASSERT_FALSE(path.ok());
  EXPECT_THAT(std::string(path.status().message()), HasSubstr(dir_ + "/missing"));
}

TEST(ShellQuoteTest, QuotesEverything) {
  EXPECT_EQ(ShellQuote("plain"), "'plain'");
  EXPECT_EQ(ShellQuote("a b'c$d"), "'a b'\\''c$d'");
  EXPECT_EQ(ShellQuote(""), "''");
}

TEST_F(RestartScriptTest, FindsDmtcpRestartInPathOrFallsBackToTheBareName) {
  // There is no dmtcp_restart beside this test binary, so PATH decides.
  std::string bin = dir_ + "/bin";
  ASSERT_EQ(mkdir(bin.c_str(), 0755), 0);
  std::string saved_path = getenv("PATH") != nullptr ? getenv("PATH") : "";
  setenv("PATH", ("relative/dir:" + dir_ + ":" + bin).c_str(), 1);
  EXPECT_EQ(FindDmtcpRestart(), "dmtcp_restart");
  std::ofstream(bin + "/dmtcp_restart") << "#!/bin/sh\n";
  chmod((bin + "/dmtcp_restart").c_str(), 0755);
  EXPECT_EQ(FindDmtcpRestart(), bin + "/dmtcp_restart");
  setenv("PATH", saved_path.c_str(), 1);
}

}  // namespace
}  // namespace dmtcp::coordinator
