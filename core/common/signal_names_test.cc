#include "core/common/signal_names.h"

#include <signal.h>

#include "gtest/gtest.h"

namespace {

TEST(SignalNames, NumbersAndNamesWithOrWithoutSig) {
  EXPECT_EQ(signal_number("10"), SIGUSR1);
  EXPECT_EQ(signal_number("USR1"), SIGUSR1);
  EXPECT_EQ(signal_number("SIGUSR1"), SIGUSR1);
  EXPECT_EQ(signal_number("SIGTERM"), SIGTERM);
  EXPECT_EQ(signal_number("HUP"), SIGHUP);
  EXPECT_EQ(signal_number("SYS"), SIGSYS);
  EXPECT_EQ(signal_number("64"), 64);
}

TEST(SignalNames, RealTimeSignalsCountFromTheKernelsFirst) {
  EXPECT_EQ(signal_number("RTMIN"), 34);
  EXPECT_EQ(signal_number("SIGRTMIN+3"), 37);
}

TEST(SignalNames, AnythingElseIsNone) {
  for (const char* bad : {"", "0", "65", "1000000", "usr1", "SIG", "USR1 ", "RTMIN+", "RTMIN+40",
                          "RTMAX", "-1", "1x"}) {
    EXPECT_EQ(signal_number(bad), 0) << "'" << bad << "'";
  }
  EXPECT_EQ(signal_number(nullptr), 0);
}

}  // namespace
