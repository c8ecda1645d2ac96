/* aarch64: the features AT_HWCAP and AT_HWCAP2 announce (the kernel's uapi
 * asm/hwcap.h, bit by bit; evtstrm is a timer event stream, not an instruction). */
#include "arch/arch.h"
#include "arch/cpu_features_util.h"

static const char* const kHwcap[] = {
    "fp", "asimd", NULL, "aes", "pmull", "sha1", "sha2", "crc32", "atomics", "fphp", "asimdhp",
    "cpuid", "asimdrdm", "jscvt", "fcma", "lrcpc", "dcpop", "sha3", "sm3", "sm4", "asimddp",
    "sha512", "sve", "asimdfhm", "dit", "uscat", "ilrcpc", "flagm", "ssbs", "sb", "paca", "pacg",
};
static const char* const kHwcap2[] = {
    "dcpodp", "sve2", "sveaes", "svepmull", "svebitperm", "svesha3", "svesm4", "flagm2",
    "frint", "svei8mm", "svef32mm", "svef64mm", "svebf16", "i8mm", "bf16", "dgh", "rng", "bti",
    "mte",
};

size_t arch_cpu_features(char* out, size_t size) {
  return cpu_hwcap_features(out, size, kHwcap, sizeof kHwcap / sizeof kHwcap[0], kHwcap2,
                            sizeof kHwcap2 / sizeof kHwcap2[0]);
}
