/* i386 addresses TLS through %gs, whose descriptor base is the thread pointer. The
 * GDT slot is per thread; set_thread_area reuses the slot %gs already selects. */
#include <asm/ldt.h>
#include <asm/unistd.h>

#include "arch/arch.h"

static unsigned gs_selector(void) {
  unsigned sel;
  __asm__ volatile("movl %%gs, %0" : "=r"(sel));
  return sel;
}

void* arch_get_thread_pointer(void) {
  struct user_desc desc = {0};
  desc.entry_number = gs_selector() >> 3;
  if (arch_syscall1(__NR_get_thread_area, (long)&desc) < 0) return 0;
  return (void*)(uintptr_t)desc.base_addr;
}

long arch_set_thread_pointer(void* tp) {
  unsigned sel = gs_selector();
  struct user_desc desc = {0};
  desc.entry_number = sel ? sel >> 3 : (unsigned)-1; /* -1: let the kernel pick */
  desc.base_addr = (unsigned)(uintptr_t)tp;
  desc.limit = 0xfffff;
  desc.seg_32bit = 1;
  desc.limit_in_pages = 1;
  desc.useable = 1;
  long rc = arch_syscall1(__NR_set_thread_area, (long)&desc);
  if (rc < 0) return rc;
  sel = (desc.entry_number << 3) | 3; /* GDT, ring 3 */
  __asm__ volatile("movl %0, %%gs" : : "r"(sel) : "memory"); /* reload the cached base */
  return 0;
}

/* glibc always installs handlers with its own SA_RESTORER trampoline. */
void* arch_sigreturn_trampoline(void) { return 0; }
