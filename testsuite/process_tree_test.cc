// Process trees: every process of a computation is checkpointed consistently and
// restarted with the same parent/child relations, groups and the pipes between them.
#include <signal.h>

#include <string>

#include "gtest/gtest.h"
#include "testsuite/harness/sandbox.h"

namespace dmtcp_test {
namespace {

// The restart script names exactly the images of the last checkpoint.
Exit RestartByScript(Sandbox& box, const std::string& log) {
  const pid_t pid = box.Spawn({"/bin/bash", box.Path("dmtcp_restart_script.sh")}, log);
  return box.Wait(pid);
}

TEST(ProcessTree, ParentAndChildTalkingThroughPipesComeBackTogether) {
  Sandbox box;
  const pid_t pid = box.Launch({ProbePath("family"), "go"}, "family");
  ASSERT_TRUE(box.WaitForLine("family", "ready")) << ReadFile(box.Path("family.err"));
  Output ck = box.Command({"-bc"});
  ASSERT_EQ(ck.exit.code, 0) << ck.out << ck.err;
  EXPECT_EQ(box.Images().size(), 2u) << "parent and child: " << ck.out;
  kill(-pid, SIGKILL);  // the child is in its own group: kill both
  kill(pid, SIGKILL);
  box.Wait(pid);
  for (const std::string& line : {std::string("list")}) (void)line;

  const pid_t restarted = box.Spawn({"/bin/bash", box.Path("dmtcp_restart_script.sh")}, "restart");
  usleep(300 * 1000);
  WriteFile(box.Path("go"), "");
  Exit e = box.Wait(restarted);
  const std::string out = ReadFile(box.Path("family.out"));
  EXPECT_TRUE(e.exited && e.code == 0) << e.Describe() << "\n" << out << ReadFile(box.Path("restart.err"));
  EXPECT_NE(out.find("family ok"), std::string::npos) << out;
}

}  // namespace
}  // namespace dmtcp_test
