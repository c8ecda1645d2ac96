/* Re-issue a system call a signal interrupted: what the kernel does for SA_RESTART. */
#define _GNU_SOURCE
#include <errno.h>
#include <ucontext.h>

#include "arch/arch.h"

int arch_rewind_interrupted_syscall(void* ucontext, long nr, long arg0, uintptr_t pc) {
  mcontext_t* mc = &((ucontext_t*)ucontext)->uc_mcontext;
  if ((long)mc->regs[0] != -EINTR || mc->pc != pc || (long)mc->regs[8] != nr) return 0;
  mc->regs[0] = arg0; /* x0 carried the first argument and now holds the result */
  mc->pc -= 4;        /* length of svc */
  return 1;
}
