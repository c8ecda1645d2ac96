// Real interpreters, as the FAQ promises: a Python program and a multi-threaded Java
// program (JIT and GC at work) keep counting across a checkpoint and a restart.
#include <signal.h>
#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "arch/arch.h"
#include "gtest/gtest.h"
#include "testsuite/harness/sandbox.h"

namespace dmtcp_test {
namespace {

// Launches `program`, checkpoints once it printed `mark`, kills it, restarts, and
// checks the whole output is 1..limit followed by `final_line`.
void CheckpointKillRestart(const std::vector<std::string>& program, long limit, long mark,
                           const std::string& final_line) {
  Sandbox box;
  const pid_t pid = box.Launch(program, "app");
  ASSERT_TRUE(box.WaitForLine("app", std::to_string(mark), absl::Seconds(60)))
      << ReadFile(box.Path("app.out")) << ReadFile(box.Path("app.err"));
  Output ck = box.Command({"-bc"});
  ASSERT_EQ(ck.exit.code, 0) << ck.err;
  const long at_checkpoint = Numbers(ReadFile(box.Path("app.out"))).back();
  kill(pid, SIGKILL);
  box.Wait(pid);
  ASSERT_EQ(box.Images().size(), 1u);

  const pid_t restarted = box.Restart(box.Images(), "restart");
  Exit e = box.Wait(restarted, absl::Seconds(120));
  const std::string out = ReadFile(box.Path("app.out"));
  EXPECT_TRUE(e.exited && e.code == 0) << e.Describe() << "\n" << ReadFile(box.Path("restart.err"))
                                       << ReadFile(box.Path("app.err"));
  std::string expected;
  for (long i = 1; i <= limit; i++) absl::StrAppend(&expected, i, "\n");
  absl::StrAppend(&expected, final_line, "\n");
  EXPECT_EQ(out, expected) << "checkpointed at " << at_checkpoint;
}

TEST(Interpreters, PythonKeepsCounting) {
  if (std::string why = WhyCannotLaunch("/usr/bin/python3"); !why.empty()) GTEST_SKIP() << "SKIPPED LOUDLY: " << why;
  CheckpointKillRestart({"/usr/bin/python3", AppPath("counter.py"), "400", "0.005"}, 400, 50,
                        "python done ok");
}

TEST(Interpreters, JavaKeepsCounting) {
  if (std::string why = WhyCannotLaunch("/usr/bin/java"); !why.empty()) GTEST_SKIP() << "SKIPPED LOUDLY: " << why;
  CheckpointKillRestart({"/usr/bin/java", "-Xmx256m", AppPath("Counter.java"), "600", "5"}, 600,
                        100, "java done ok");
}

}  // namespace
}  // namespace dmtcp_test
