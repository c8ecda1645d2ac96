#include "core/restart/cpu_check.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dmtcp {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(CpuCheck, NamesWhatThisCpuLacksInTheImagesOrder) {
  EXPECT_THAT(MissingCpuFeatures("sse2 avx2 avx512f avx512bw", "sse2 avx avx2"),
              ElementsAre("avx512f", "avx512bw"));
  EXPECT_THAT(MissingCpuFeatures("fp asimd", "fp asimd sve"), IsEmpty());
  EXPECT_THAT(MissingCpuFeatures("", "fp"), IsEmpty());  // an image from before the record
  EXPECT_THAT(MissingCpuFeatures("neon  vfp ", ""), ElementsAre("neon", "vfp"));
}

TEST(CpuCheck, ThisCpuHasFeaturesOrTheOnesItIsToldOf) {
  unsetenv("DMTCP_CPU_FEATURES");
  EXPECT_FALSE(PresentCpuFeatures().empty());
  setenv("DMTCP_CPU_FEATURES", "sse2 avx", 1);
  EXPECT_EQ(PresentCpuFeatures(), "sse2 avx");
  unsetenv("DMTCP_CPU_FEATURES");
}

}  // namespace
}  // namespace dmtcp
