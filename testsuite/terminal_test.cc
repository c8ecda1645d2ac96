// Programs on the user's terminal, whose master is outside the computation: after a
// restart the terminal dmtcp_restart runs in is theirs, in the modes they had set, with
// their process group in the foreground, and a changed window size is announced with
// SIGWINCH. (Pseudo-terminals held by the computation: process_tree_test.)
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <string>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "testsuite/harness/sandbox.h"
#include "testsuite/harness/terminal.h"

namespace dmtcp_test {
namespace {

bool Raw(const struct termios& t) { return !(t.c_lflag & ICANON) && !(t.c_lflag & ECHO); }

TEST(Terminal, InteractiveProgramGetsItsModesAndTheForegroundBack) {
  Sandbox box;
  Terminal first(24, 80);
  const pid_t job = first.Run(box.LaunchArgv({ProbePath("interactive")}), box.dir(), box.Env());
  ASSERT_GT(job, 0);
  ASSERT_TRUE(first.WaitFor("ready")) << first.output();
  first.Type("a");
  ASSERT_TRUE(first.WaitFor("key a #1")) << first.output();
  first.Type("b");
  ASSERT_TRUE(first.WaitFor("key b #2")) << first.output();
  Output ck = box.Command({"-bc"});
  ASSERT_EQ(ck.exit.code, 0) << ck.err;
  kill(job, SIGKILL);
  EXPECT_EQ(first.WaitShell(), 128 + SIGKILL);

  // A new terminal, larger, in the default modes: lines are buffered and echoed.
  Terminal second(40, 100);
  ASSERT_FALSE(Raw(second.Modes()));
  ASSERT_GT(second.Run(box.RestartArgv(box.Images()), box.dir(), box.Env()), 0);
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (!Raw(second.Modes()) && absl::Now() < deadline) usleep(10 * 1000);
  ASSERT_TRUE(Raw(second.Modes())) << "the restored program's modes never came back\n"
                                   << second.output();
  // One key, no Enter: only a program in raw mode, in the foreground, sees it.
  second.Type("c");
  ASSERT_TRUE(second.WaitFor("key c #3")) << second.output();
  second.Type("q");
  EXPECT_TRUE(second.WaitFor("bye window 40x100 winch 1 raw ok foreground ok")) << second.output();
  EXPECT_EQ(second.WaitShell(), 0) << second.output();
}

}  // namespace
}  // namespace dmtcp_test
