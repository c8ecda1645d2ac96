// The mic port's promise: the whole AVX-512 register state (zmm0-31, k0-7) survives a
// checkpoint and a restart. Runs on x86_64 and mic builds; skipped loudly on CPUs
// without AVX-512.
#include <string>

#include "gtest/gtest.h"
#include "testsuite/harness/sandbox.h"

namespace dmtcp_test {
namespace {

TEST(Simd, Avx512RegistersSurviveCheckpointAndRestart) {
  if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512bw")) {
    GTEST_SKIP() << "SKIPPED LOUDLY: this CPU has no AVX-512 (the mic port needs it)";
  }
  Sandbox box;
  Exit e = box.CheckpointKillRestart({ProbePath("zmm"), "go"}, "zmm");
  const std::string out = ReadFile(box.Path("zmm.out"));
  EXPECT_TRUE(e.exited && e.code == 0) << e.Describe() << "\n" << out << ReadFile(box.Path("restart.err"));
  EXPECT_NE(out.find("zmm ok"), std::string::npos) << out;
}

}  // namespace
}  // namespace dmtcp_test
