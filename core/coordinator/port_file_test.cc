#include "core/coordinator/port_file.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dmtcp::coordinator {
namespace {

std::string TempPath(const std::string& name) {
  const char* dir = getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

TEST(PortFileTest, RoundTrip) {
  std::string path = TempPath("port_round_trip");
  ASSERT_TRUE(WritePortFile(path, 40123).ok());
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "40123\n");
  EXPECT_EQ(*ReadPortFile(path), 40123);
  ASSERT_TRUE(WritePortFile(path, 5).ok());  // replaces the old number
  EXPECT_EQ(*ReadPortFile(path), 5);
}

TEST(PortFileTest, ErrorsNameTheFile) {
  EXPECT_THAT(std::string(WritePortFile("/no/such/dir/port", 1).message()),
              ::testing::HasSubstr("/no/such/dir/port"));
  EXPECT_FALSE(ReadPortFile(TempPath("never_written")).ok());
  std::string junk = TempPath("port_junk");
  std::ofstream(junk) << "not a port\n";
  EXPECT_FALSE(ReadPortFile(junk).ok());
  std::ofstream(junk) << "0\n";
  EXPECT_FALSE(ReadPortFile(junk).ok());
}

}  // namespace
}  // namespace dmtcp::coordinator
