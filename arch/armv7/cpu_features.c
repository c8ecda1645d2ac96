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
  return cpu_hwcap_features(out, size, kHwcap, sizeof kHwcap / sizeof kHwcap[0], kHwcap2,
                            sizeof kHwcap2 / sizeof kHwcap2[0]);
}
