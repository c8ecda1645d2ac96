/* i386 addresses TLS through %gs, whose descriptor base is the thread pointer. The
 * GDT slot is per thread; set_thread_area reuses the slot %gs already selects.
 * The thread pointer is read through %gs itself (the TCB's first word points to the
 * TCB, as the i386 TLS ABI requires), not with get_thread_area: QEMU user mode keeps
 * one GDT for all threads, so the slot there holds whichever thread wrote it last. */
#include <asm/ldt.h>
#include <asm/unistd.h>
#include <stdint.h>

#include "arch/arch.h"

static unsigned gs_selector(void) {
  unsigned sel;
  __asm__ volatile("movl %%gs, %0" : "=r"(sel));
  return sel;
}

void* arch_get_thread_pointer(void) {
  if (gs_selector() == 0) return 0; /* no TLS set up */
  void* tp;
  __asm__ volatile("movl %%gs:0, %0" : "=r"(tp));
  return tp;
}

static long set_thread_area_once(void* tp) {
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

long arch_set_thread_pointer(void* tp) {
  /* Under QEMU the slot is shared by all threads: another thread may write it between
   * our write and our %gs load. A TCB points to itself, so a wrong base shows. */
  const int is_tcb = tp && *(void* volatile*)tp == tp;
  for (int tries = 0;; tries++) {
    long rc = set_thread_area_once(tp);
    if (rc < 0 || !is_tcb || arch_get_thread_pointer() == tp || tries == 1000) return rc;
  }
}

/* glibc always installs handlers with its own SA_RESTORER trampoline. */
void* arch_sigreturn_trampoline(void) { return 0; }

/* sgdt/sidt name the descriptor tables. Under QEMU user mode they are guest memory.
 * On real hardware they are kernel addresses, never mapped in a 32-bit process (the
 * caller checks), or, where the CPU has UMIP, the kernel's dummies with limit 0, whose
 * base can fall inside a 32-bit process's stack: those are no tables at all. */
struct __attribute__((packed)) descriptor_table_register {
  uint16_t limit;
  uint32_t base;
};

int arch_emulator_tables(struct arch_emulator_table* out, int max) {
  struct descriptor_table_register gdt, idt;
  __asm__ volatile("sgdt %0" : "=m"(gdt));
  __asm__ volatile("sidt %0" : "=m"(idt));
  int n = 0;
  if (gdt.limit != 0 && n < max) {
    out[n++] = (struct arch_emulator_table){gdt.base, (uint64_t)gdt.base + gdt.limit + 1, 0};
  }
  if (idt.limit != 0 && n < max) {
    out[n++] = (struct arch_emulator_table){idt.base, (uint64_t)idt.base + idt.limit + 1, 1};
  }
  return n;
}
