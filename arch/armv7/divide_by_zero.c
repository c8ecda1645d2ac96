/* libgcc's ARM division helpers call these on division by zero; its own versions
 * raise SIGFPE through libc, which freestanding programs (the restorer) do not have.
 * Dividing by zero is a bug: stop the process at once. */
#include <asm/unistd.h>

#include "arch/arch.h"

static void die_on_division_by_zero(void) {
  for (;;) arch_syscall1(__NR_exit_group, 99);
}

int __aeabi_idiv0(int r) {
  die_on_division_by_zero();
  return r;
}

long long __aeabi_ldiv0(long long r) {
  die_on_division_by_zero();
  return r;
}
