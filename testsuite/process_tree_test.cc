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

  const pid_t restarted = box.Spawn({"/bin/bash", box.Path("dmtcp_restart_script.sh")}, "restart");
  usleep(300 * 1000);
  WriteFile(box.Path("go"), "");
  Exit e = box.Wait(restarted);
  const std::string out = ReadFile(box.Path("family.out"));
  EXPECT_TRUE(e.exited && e.code == 0) << e.Describe() << "\n" << out << ReadFile(box.Path("restart.err"));
  EXPECT_NE(out.find("family ok"), std::string::npos) << out;
}

// A shell pipeline checkpointed mid-stream gives the hash of an uninterrupted run:
// bash, the producer, tr and sha256sum are restored with the pipes between them and
// the bytes that were in them.
TEST(ProcessTree, ShellPipelineCheckpointedMidStreamGivesTheSameHash) {
  Sandbox box;
  const std::string pipeline =
      ProbePath("counter") + " 3000 1 | tr 0-9 a-j | sha256sum";
  Output direct = box.Run({"/bin/bash", "-c", pipeline});
  ASSERT_EQ(direct.exit.code, 0) << direct.err;
  ASSERT_EQ(direct.out.size(), 68u) << direct.out;  // 64 hex digits, "  -", newline

  const pid_t pid = box.Launch({"/bin/bash", "-c", pipeline}, "pipeline");
  usleep(1200 * 1000);  // well into the stream
  Output ck = box.Command({"-bc"});
  ASSERT_EQ(ck.exit.code, 0) << ck.out << ck.err;
  Output list = box.Command({"-l"});
  kill(-pid, SIGKILL);
  box.Wait(pid);
  EXPECT_EQ(ReadFile(box.Path("pipeline.out")), "") << "the pipeline finished before the checkpoint";

  Exit e = box.Wait(box.Spawn({"/bin/bash", box.Path("dmtcp_restart_script.sh")}, "restart"));
  EXPECT_TRUE(e.exited && e.code == 0) << e.Describe() << "\n" << ReadFile(box.Path("restart.err"))
                                       << list.out;
  EXPECT_EQ(ReadFile(box.Path("pipeline.out")), direct.out)
      << "processes at the checkpoint:\n" << list.out << ReadFile(box.Path("pipeline.err"));
}

}  // namespace
}  // namespace dmtcp_test
