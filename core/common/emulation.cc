#include "core/common/emulation.h"

#include <stdio.h>

#include <fstream>
#include <string>

#include "arch/arch.h"

namespace dmtcp {
namespace {

bool TablesMapped() {
  struct arch_emulator_table t[4];
  const int n = arch_emulator_tables(t, 4);
  if (n == 0) return false;
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    unsigned long start = 0, end = 0;
    if (sscanf(line.c_str(), "%lx-%lx", &start, &end) != 2) continue;
    for (int i = 0; i < n; i++) {
      if (start <= t[i].start && t[i].start < end) return true;
    }
  }
  return false;
}

}  // namespace

bool ThisProcessIsEmulated() {
  const bool arm = ARCH_ID == ARCH_ID_AARCH64 || ARCH_ID == ARCH_ID_ARMV7;
  if (!arm) return TablesMapped();
  std::ifstream in("/proc/sys/kernel/arch");
  std::string kernel;
  std::getline(in, kernel);
  return kernel.rfind("arm", 0) != 0 && kernel.rfind("aarch64", 0) != 0;
}

}  // namespace dmtcp
