#include "core/restart/modify_env.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dmtcp {
namespace {

using ::testing::ElementsAre;

const char* Lookup(const std::string& name) {
  if (name == "DISPLAY") return ":7";
  if (name == "HOME") return "/home/u";
  return nullptr;
}

TEST(ParseModifyEnv, SetsExpandsAndUnsets) {
  EXPECT_THAT(ParseModifyEnv("# restart on another host\n"
                             "DISPLAY=$DISPLAY\n"
                             "\n"
                             "  CACHE = ${HOME}/cache-$NOPE.$\n"
                             "OLD_TOKEN\n"
                             "PLAIN=a=b\n",
                             Lookup),
              ElementsAre("DISPLAY=:7", "CACHE=/home/u/cache-.$", "OLD_TOKEN", "PLAIN=a=b"));
}

TEST(ParseModifyEnv, IgnoresLinesWithoutAName) {
  EXPECT_THAT(ParseModifyEnv("=value\n   \n#X=1", Lookup), ElementsAre());
}

}  // namespace
}  // namespace dmtcp
