/* Re-issue a system call a signal interrupted: what the kernel does for SA_RESTART. */
#define _GNU_SOURCE
#include <errno.h>
#include <ucontext.h>

#include "arch/arch.h"

int arch_rewind_interrupted_syscall(void* ucontext, long nr, long arg0, uintptr_t pc) {
  greg_t* regs = ((ucontext_t*)ucontext)->uc_mcontext.gregs;
  (void)arg0; /* x86_64 keeps the arguments in registers the kernel does not touch */
  if (regs[REG_RAX] != -EINTR || (uintptr_t)regs[REG_RIP] != pc) return 0;
  regs[REG_RAX] = nr;
  regs[REG_RIP] -= 2; /* length of the syscall instruction */
  return 1;
}
