/* x86_64 port: see arch/arch.h for the contract. */
#ifndef ARCH_X86_64_ARCH_CPU_H
#define ARCH_X86_64_ARCH_CPU_H

#include <asm/unistd.h>
#include <stdint.h>

#define ARCH_NAME "x86_64"
#define ARCH_ID ARCH_ID_X86_64
#define ARCH_RSEQ_SIG 0x53053053u
#define ARCH_ELF_MACHINE 62 /* EM_X86_64 */
#define ARCH_NR_MMAP __NR_mmap       /* offset argument in bytes */
#define ARCH_MMAP_OFFSET_SHIFT 0

struct arch_jmpbuf {
  uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip;
  uint32_t mxcsr;
  uint16_t fpu_cw;
};

static inline long arch_syscall6(long nr, long a, long b, long c, long d, long e, long f) {
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  long ret;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
}

#endif
