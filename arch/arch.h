/*
 * arch.h - what a CPU port provides to the rest of the system.
 *
 * This header is the seam between core/ and arch/<cpu>/: core/ calls only what is
 * declared here and never tests CPU macros. It is C and freestanding (the restorer
 * uses it without libc). Each port supplies "arch_cpu.h", found on the include path
 * of the selected //arch/<cpu> library, defining:
 *
 *   ARCH_NAME, ARCH_ID        name and the id stored in checkpoint images
 *   ARCH_RSEQ_SIG             the signature glibc registers rseq areas with
 *   ARCH_ELF_MACHINE          e_machine of the programs this port runs
 *   ARCH_NR_MMAP, ARCH_MMAP_OFFSET_SHIFT   mmap or mmap2, and how its offset is given
 *   struct arch_jmpbuf        callee-saved state for arch_context_save/restore
 *   arch_syscall6()           a raw system call (inline or out of line)
 *
 * and implements the functions below (in assembly where C cannot express them).
 */
#ifndef ARCH_ARCH_H
#define ARCH_ARCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#include "arch_cpu.h"

/* Image arch ids; values are stored in images and must never change. */
enum arch_id {
  ARCH_ID_X86_64 = 1,
  ARCH_ID_I386 = 2,
  ARCH_ID_ARMV7 = 3,
  ARCH_ID_AARCH64 = 4,
  ARCH_ID_MIC = 5,
};

/* Raw system calls: return the kernel's value, -errno on failure. */
static inline long arch_syscall0(long nr) { return arch_syscall6(nr, 0, 0, 0, 0, 0, 0); }
static inline long arch_syscall1(long nr, long a) { return arch_syscall6(nr, a, 0, 0, 0, 0, 0); }
static inline long arch_syscall2(long nr, long a, long b) {
  return arch_syscall6(nr, a, b, 0, 0, 0, 0);
}
static inline long arch_syscall3(long nr, long a, long b, long c) {
  return arch_syscall6(nr, a, b, c, 0, 0, 0);
}
static inline long arch_syscall4(long nr, long a, long b, long c, long d) {
  return arch_syscall6(nr, a, b, c, d, 0, 0);
}
static inline long arch_syscall5(long nr, long a, long b, long c, long d, long e) {
  return arch_syscall6(nr, a, b, c, d, e, 0);
}

/* The calling thread's thread pointer, as the kernel holds it (FS base, GS
 * descriptor base, TPIDR). libc's TLS block is addressed through it. */
void* arch_get_thread_pointer(void);
/* Set the calling thread's thread pointer; 0 or -errno. */
long arch_set_thread_pointer(void* tp);

/* Save callee-saved registers, stack and return address (like setjmp). Returns 0;
 * returns `val` (never 0) when arch_context_restore() resumes it, possibly in a
 * restored process. Signal masks are not touched. */
int arch_context_save(struct arch_jmpbuf* buf) __attribute__((returns_twice));
void arch_context_restore(const struct arch_jmpbuf* buf, int val) __attribute__((noreturn));

/* Switch to the stack ending at `stack_top` and call fn(arg); fn must not return. */
void arch_call_on_stack(void* stack_top, void (*fn)(void*), void* arg)
    __attribute__((noreturn));

/* clone3(args, size). In the child, which starts on args->stack, call fn(arg);
 * fn must not return. In the caller return the child's tid or -errno. */
struct clone_args;
long arch_clone3(struct clone_args* args, size_t size, void (*fn)(void*), void* arg);

/* The older clone(2), for kernels and emulators without clone3 (QEMU 7 user mode):
 * no TLS argument (callers set the thread pointer in the child) and no set_tid. The
 * child starts on stack_top and calls fn(arg), which must not return. */
long arch_clone(unsigned long flags, void* stack_top, int* parent_tid, int* child_tid,
                void (*fn)(void*), void* arg);

/* Called from a signal handler with its ucontext: if the interrupted thread is
 * returning -EINTR from the system call `nr` that was observed blocked at `pc` (the
 * address after the trap instruction, as /proc/<tid>/syscall reports it), rewind the
 * context so that sigreturn re-executes the call with its original first argument,
 * exactly as the kernel does for SA_RESTART. Returns 1 if rewound, else 0. */
int arch_rewind_interrupted_syscall(void* ucontext, long nr, long arg0, uintptr_t pc);

/* Address of code that makes the rt_sigreturn system call, for sigaction's
 * sa_restorer; NULL where signal frames return through the C library's own restorer
 * or the vDSO. Needed where neither is available after a restart (aarch64 under QEMU
 * user mode, which has no vDSO and whose own trampoline page is gone). */
void* arch_sigreturn_trampoline(void);

/* Memory an emulator keeps inside the guest's address space: QEMU user mode gives an
 * x86 guest its GDT and IDT in guest pages, and every `int $0x80` reads the IDT. The
 * restorer keeps such pages mapped and valid while it rebuilds the address space.
 * `fixed_contents`: every process of this emulator has the same bytes there (the IDT),
 * so the image must hold them unchanged at the same address. */
struct arch_emulator_table {
  uint64_t start, end; /* as the CPU reports them; callers keep the whole pages */
  int fixed_contents;
};
/* Candidates, up to `max`: where the CPU says its tables are (they are the emulator's
 * only if that memory is mapped in this process; the caller checks). Returns how many;
 * 0 where no emulator keeps any. */
int arch_emulator_tables(struct arch_emulator_table* out, int max);

/* The CPU's instruction-set features a program may choose code by (glibc's ifuncs
 * do, once, at startup), as space-separated names ("avx2 avx512f", "asimd sve"),
 * written to `out`; returns the length. From what the kernel reports: /proc/cpuinfo's
 * flags on x86 (the ISA extensions only), AT_HWCAP and AT_HWCAP2 on ARM. An image
 * records them so that a restart on a CPU lacking one is refused instead of dying of
 * an illegal instruction. */
size_t arch_cpu_features(char* out, size_t size);

/* Entry point of freestanding programs (the restorer): each port's entry.S defines
 * _start, which calls this with the initial stack pointer (argc, argv, envp, auxv). */
void freestanding_main(long* initial_sp) __attribute__((noreturn));

#ifdef __cplusplus
}
#endif

#endif /* ARCH_ARCH_H */
