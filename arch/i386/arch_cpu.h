/* i386 port: see arch/arch.h for the contract. */
#ifndef ARCH_I386_ARCH_CPU_H
#define ARCH_I386_ARCH_CPU_H

#include <asm/unistd.h>
#include <stdint.h>

#define ARCH_NAME "i386"
#define ARCH_ID ARCH_ID_I386
#define ARCH_RSEQ_SIG 0x53053053u
#define ARCH_ELF_MACHINE 3 /* EM_386 */
#define ARCH_NR_MMAP __NR_mmap2      /* offset argument in 4096-byte units */
#define ARCH_MMAP_OFFSET_SHIFT 12

struct arch_jmpbuf {
  uint32_t ebx, esi, edi, ebp, esp, eip;
  uint32_t mxcsr;
  uint16_t fpu_cw;
};

/* Out of line: ebx is the PIC register and ebp the frame pointer. */
long arch_syscall6(long nr, long a, long b, long c, long d, long e, long f);

#endif
