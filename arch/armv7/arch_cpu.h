/* armv7 (ARM EABI, hard float) port: see arch/arch.h for the contract. */
#ifndef ARCH_ARMV7_ARCH_CPU_H
#define ARCH_ARMV7_ARCH_CPU_H

#include <asm/unistd.h>
#include <stdint.h>

#define ARCH_NAME "armv7"
#define ARCH_ID ARCH_ID_ARMV7
#define ARCH_RSEQ_SIG 0xe7f5def3u
#define ARCH_ELF_MACHINE 40 /* EM_ARM */
#define ARCH_NR_MMAP __NR_mmap2      /* offset argument in 4096-byte units */
#define ARCH_MMAP_OFFSET_SHIFT 12

struct arch_jmpbuf {
  uint32_t r4_r11[8];
  uint32_t sp, lr;
  uint64_t d8_d15[8];
  uint32_t fpscr;
};

/* Out of line: r7 carries the syscall number and is the Thumb frame pointer. */
long arch_syscall6(long nr, long a, long b, long c, long d, long e, long f);

#endif
