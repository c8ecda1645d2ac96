#include "core/common/emulation.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "arch/arch.h"
#include "core/common/raw_syscalls.h"

namespace dmtcp {
namespace {

// Raw system calls only: the preload runtime asks too, also while a restart is being
// finished (no locks, no allocation).
bool TablesMapped() {
  struct arch_emulator_table t[4];
  const int n = arch_emulator_tables(t, 4);
  const uint64_t page = 4096;
  for (int i = 0; i < n; i++) {
    unsigned char resident;
    // mincore fails with ENOMEM where nothing is mapped.
    if (sys::mincore(reinterpret_cast<void*>(t[i].start & ~(page - 1)), page, &resident) == 0) return true;
  }
  return false;
}

}  // namespace

bool ThisProcessIsEmulated() {
  const bool arm = ARCH_ID == ARCH_ID_AARCH64 || ARCH_ID == ARCH_ID_ARMV7;
  if (!arm) return TablesMapped();
  char kernel[32] = "";
  const long fd = sys::open("/proc/sys/kernel/arch", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const long n = sys::read(static_cast<int>(fd), kernel, sizeof kernel - 1);
  sys::close(static_cast<int>(fd));
  kernel[n > 0 ? n : 0] = '\0';
  return strncmp(kernel, "arm", 3) != 0 && strncmp(kernel, "aarch64", 7) != 0;
}

}  // namespace dmtcp
