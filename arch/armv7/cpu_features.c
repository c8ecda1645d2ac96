/* armv7: the features AT_HWCAP and AT_HWCAP2 announce (the kernel's uapi asm/hwcap.h
 * for arm, bit by bit; evtstrm is a timer event stream, not an instruction). */
#include "arch/arch.h"
#include "arch/cpu_features_util.h"

static const char* const kHwcap[] = {
    "swp", "half", "thumb", "26bit", "fastmult", "fpa", "vfp", "edsp", "java", "iwmmxt",
    "crunch", "thumbee", "neon", "vfpv3", "vfpv3d16", "tls", "vfpv4", "idiva", "idivt",
    "vfpd32", "lpae", NULL,
};
static const char* const kHwcap2[] = {"aes", "pmull", "sha1", "sha2", "crc32"};

size_t arch_cpu_features(char* out, size_t size) {
  unsigned long hwcap, hwcap2;
  size_t len = 0;
  if (size == 0) return 0;
  out[0] = '\0';
  cpu_hwcaps(&hwcap, &hwcap2);
  cpu_add_bits(out, size, &len, hwcap, kHwcap, sizeof kHwcap / sizeof kHwcap[0]);
  cpu_add_bits(out, size, &len, hwcap2, kHwcap2, sizeof kHwcap2 / sizeof kHwcap2[0]);
  return len;
}
