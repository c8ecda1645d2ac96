/* aarch64 (ARMv8) port: see arch/arch.h for the contract. */
#ifndef ARCH_AARCH64_ARCH_CPU_H
#define ARCH_AARCH64_ARCH_CPU_H

#include <asm/unistd.h>
#include <stdint.h>

#define ARCH_NAME "aarch64"
#define ARCH_ID ARCH_ID_AARCH64
#define ARCH_RSEQ_SIG 0xd428bc00u
#define ARCH_ELF_MACHINE 183 /* EM_AARCH64 */
#define ARCH_NR_MMAP __NR_mmap       /* offset argument in bytes */
#define ARCH_MMAP_OFFSET_SHIFT 0

struct arch_jmpbuf {
  uint64_t x19_x28[10];
  uint64_t fp, lr, sp;
  uint64_t d8_d15[8];
  uint64_t fpcr;
};

static inline long arch_syscall6(long nr, long a, long b, long c, long d, long e, long f) {
  register long x8 __asm__("x8") = nr;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  register long x3 __asm__("x3") = d;
  register long x4 __asm__("x4") = e;
  register long x5 __asm__("x5") = f;
  __asm__ volatile("svc #0"
                   : "+r"(x0)
                   : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
                   : "memory");
  return x0;
}

#endif
