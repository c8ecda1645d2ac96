/* cpu_features_util.h - what every port's arch_cpu_features() shares: reading a small
 * kernel file with raw system calls (the runtime calls it in any state, the tools
 * before anything else) and appending names to the answer. */
#ifndef ARCH_CPU_FEATURES_UTIL_H
#define ARCH_CPU_FEATURES_UTIL_H

#include <asm/unistd.h>
#include <fcntl.h>
#include <stddef.h>

#include "arch/arch.h"

/* Up to `size` bytes of `path`; returns how many (0 if it cannot be read). */
static inline size_t cpu_read_file(const char* path, char* buf, size_t size) {
  long fd = arch_syscall4(__NR_openat, AT_FDCWD, (long)path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0) return 0;
  size_t got = 0;
  while (got < size) {
    long n = arch_syscall3(__NR_read, fd, (long)(buf + got), (long)(size - got));
    if (n <= 0) break;
    got += (size_t)n;
  }
  arch_syscall1(__NR_close, fd);
  return got;
}

/* Appends " name" (no leading space for the first) to out[0..*len) if it fits. */
static inline void cpu_add_name(char* out, size_t size, size_t* len, const char* name, size_t n) {
  if (*len + (*len ? 1 : 0) + n + 1 > size) return;
  if (*len) out[(*len)++] = ' ';
  for (size_t i = 0; i < n; i++) out[(*len)++] = name[i];
  out[*len] = '\0';
}

/* Names of the set bits of `bits` from `names` (NULL entries are not features). */
static inline void cpu_add_bits(char* out, size_t size, size_t* len, unsigned long bits,
                                const char* const* names, int count) {
  for (int b = 0; b < count && b < (int)(8 * sizeof bits); b++) {
    if (!(bits & (1ul << b)) || names[b] == NULL) continue;
    size_t n = 0;
    while (names[b][n]) n++;
    cpu_add_name(out, size, len, names[b], n);
  }
}

/* AT_HWCAP and AT_HWCAP2 from /proc/self/auxv (QEMU user mode answers its own). */
static inline void cpu_hwcaps(unsigned long* hwcap, unsigned long* hwcap2) {
  unsigned long auxv[256];
  size_t n = cpu_read_file("/proc/self/auxv", (char*)auxv, sizeof auxv) / sizeof auxv[0];
  *hwcap = *hwcap2 = 0;
  for (size_t i = 0; i + 1 < n; i += 2) {
    if (auxv[i] == 16) *hwcap = auxv[i + 1];  /* AT_HWCAP */
    if (auxv[i] == 26) *hwcap2 = auxv[i + 1]; /* AT_HWCAP2 */
  }
}

/* arch_cpu_features() of a port whose features are the bits of AT_HWCAP and AT_HWCAP2. */
static inline size_t cpu_hwcap_features(char* out, size_t size, const char* const* hwcap_names,
                                        int hwcap_count, const char* const* hwcap2_names,
                                        int hwcap2_count) {
  unsigned long hwcap, hwcap2;
  size_t len = 0;
  if (size == 0) return 0;
  out[0] = '\0';
  cpu_hwcaps(&hwcap, &hwcap2);
  cpu_add_bits(out, size, &len, hwcap, hwcap_names, hwcap_count);
  cpu_add_bits(out, size, &len, hwcap2, hwcap2_names, hwcap2_count);
  return len;
}

#endif /* ARCH_CPU_FEATURES_UTIL_H */
