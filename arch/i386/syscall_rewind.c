/* Re-issue a system call a signal interrupted: what the kernel does for SA_RESTART. */
#define _GNU_SOURCE
#include <errno.h>
#include <ucontext.h>

#include "arch/arch.h"

int arch_rewind_interrupted_syscall(void* ucontext, long nr, long arg0, uintptr_t pc) {
  greg_t* regs = ((ucontext_t*)ucontext)->uc_mcontext.gregs;
  (void)arg0; /* i386 keeps the arguments in registers the kernel does not touch */
  if (regs[REG_EAX] != -EINTR || (uintptr_t)regs[REG_EIP] != pc) return 0;
  regs[REG_EAX] = nr;
  regs[REG_EIP] -= 2; /* int $0x80 and the vDSO's sysenter path both rewind by 2 */
  return 1;
}
