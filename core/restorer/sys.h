/*
 * sys.h - the system calls the restorer makes, as thin inline wrappers over the arch
 * port's raw syscall. They return the kernel's value (-errno on failure); there is no
 * errno and no libc here.
 */
#ifndef CORE_RESTORER_SYS_H
#define CORE_RESTORER_SYS_H

#include <asm/unistd.h>
#include <linux/fcntl.h>
#include <linux/mman.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"

static inline long sys_read(int fd, void* buf, size_t n) {
  return arch_syscall3(__NR_read, fd, (long)buf, (long)n);
}
/* preadv passes the offset as two words on every arch, so no per-arch splitting. */
static inline long sys_pread(int fd, void* buf, size_t n, uint64_t offset) {
  struct { void* base; size_t len; } iov = {buf, n};
  return arch_syscall5(__NR_preadv, fd, (long)&iov, 1, (long)offset, (long)(offset >> 32));
}
static inline long sys_write(int fd, const void* buf, size_t n) {
  return arch_syscall3(__NR_write, fd, (long)buf, (long)n);
}
static inline long sys_openat(const char* path, int flags) {
  return arch_syscall4(__NR_openat, AT_FDCWD, (long)path, flags | O_CLOEXEC, 0);
}
static inline long sys_close(int fd) { return arch_syscall1(__NR_close, fd); }
static inline long sys_lseek_end(int fd) {
  return arch_syscall3(__NR_lseek, fd, 0, 2 /* SEEK_END */);
}
static inline void* sys_mmap(void* addr, size_t len, int prot, int flags, int fd, uint64_t off) {
  return (void*)arch_syscall6(ARCH_NR_MMAP, (long)addr, (long)len, prot, flags, fd,
                              (long)(off >> ARCH_MMAP_OFFSET_SHIFT));
}
static inline long sys_munmap(void* addr, size_t len) {
  return arch_syscall2(__NR_munmap, (long)addr, (long)len);
}
static inline long sys_mprotect(void* addr, size_t len, int prot) {
  return arch_syscall3(__NR_mprotect, (long)addr, (long)len, prot);
}
static inline void* sys_mremap(void* old, size_t old_len, size_t new_len, int flags, void* to) {
  return (void*)arch_syscall5(__NR_mremap, (long)old, (long)old_len, (long)new_len, flags,
                              (long)to);
}
static inline long sys_getpid(void) { return arch_syscall0(__NR_getpid); }
static inline long sys_sched_yield(void) { return arch_syscall0(__NR_sched_yield); }
static inline long sys_block_all_signals(void) {
  uint64_t all = ~0ULL;
  return arch_syscall4(__NR_rt_sigprocmask, 2 /* SIG_SETMASK */, (long)&all, 0, 8);
}
static inline void sys_exit_group(int code) {
  for (;;) arch_syscall1(__NR_exit_group, code);
}

/* mmap returns addresses or -errno in the same word. */
static inline int sys_failed(const void* p) { return (uintptr_t)p > (uintptr_t)-4096; }

#endif /* CORE_RESTORER_SYS_H */
