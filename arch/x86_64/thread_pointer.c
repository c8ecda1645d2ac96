/* x86_64 keeps the thread pointer in the FS base register. */
#include <asm/prctl.h>
#include <asm/unistd.h>

#include "arch/arch.h"

void* arch_get_thread_pointer(void) {
  unsigned long base = 0;
  arch_syscall2(__NR_arch_prctl, ARCH_GET_FS, (long)&base);
  return (void*)base;
}

long arch_set_thread_pointer(void* tp) {
  return arch_syscall2(__NR_arch_prctl, ARCH_SET_FS, (long)tp);
}

/* glibc always installs handlers with its own SA_RESTORER trampoline. */
void* arch_sigreturn_trampoline(void) { return 0; }

int arch_emulator_tables(struct arch_emulator_table* out, int max) { return 0; }
