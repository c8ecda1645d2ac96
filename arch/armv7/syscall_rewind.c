/* Re-issue a system call a signal interrupted: what the kernel does for SA_RESTART. */
#define _GNU_SOURCE
#include <errno.h>
#include <ucontext.h>

#include "arch/arch.h"

#define CPSR_THUMB 0x20

int arch_rewind_interrupted_syscall(void* ucontext, long nr, long arg0, uintptr_t pc) {
  mcontext_t* mc = &((ucontext_t*)ucontext)->uc_mcontext;
  if ((long)mc->arm_r0 != -EINTR || mc->arm_pc != pc || (long)mc->arm_r7 != nr) return 0;
  mc->arm_r0 = arg0; /* r0 carried the first argument and now holds the result */
  mc->arm_pc -= (mc->arm_cpsr & CPSR_THUMB) ? 2 : 4; /* length of svc */
  return 1;
}
