/* aarch64 keeps the thread pointer in TPIDR_EL0, writable from user mode. */
#include "arch/arch.h"

void* arch_get_thread_pointer(void) {
  void* tp;
  __asm__ volatile("mrs %0, tpidr_el0" : "=r"(tp));
  return tp;
}

long arch_set_thread_pointer(void* tp) {
  __asm__ volatile("msr tpidr_el0, %0" : : "r"(tp) : "memory");
  return 0;
}

/* glibc relies on the vDSO's trampoline here; without a vDSO, this one. */
void arch_rt_sigreturn(void) __attribute__((visibility("hidden")));
void* arch_sigreturn_trampoline(void) { return (void*)arch_rt_sigreturn; }

int arch_emulator_tables(struct arch_emulator_table* out, int max) { return 0; }
