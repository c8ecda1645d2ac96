/* armv7 reads the thread pointer from TPIDRURO; only the kernel may set it. */
#include <asm/unistd.h>

#include "arch/arch.h"

void* arch_get_thread_pointer(void) {
  void* tp;
  __asm__ volatile("mrc p15, 0, %0, c13, c0, 3" : "=r"(tp));
  return tp;
}

long arch_set_thread_pointer(void* tp) {
  return arch_syscall1(__ARM_NR_set_tls, (long)tp);
}

/* glibc always installs handlers with its own SA_RESTORER trampoline. */
void* arch_sigreturn_trampoline(void) { return 0; }

int arch_emulator_tables(struct arch_emulator_table* out, int max) { return 0; }
