// raw_syscalls.h - system calls made directly through the arch port, for code that
// runs inside the application (the preload runtime and its image writer).
//
// The runtime runs inside someone else's program and, during a checkpoint, beside
// threads frozen at arbitrary points. Going around libc keeps it clear of libc's
// locks and of our own exported wrappers (close, sigaction, ...), and leaves errno
// alone. Each call returns the kernel's value: -errno on failure.
#ifndef CORE_COMMON_RAW_SYSCALLS_H
#define CORE_COMMON_RAW_SYSCALLS_H

#include <asm/unistd.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <time.h>

#include "arch/arch.h"

namespace sys {

inline long read(int fd, void* buf, size_t n) {
  return arch_syscall3(__NR_read, fd, (long)buf, (long)n);
}
inline long write(int fd, const void* buf, size_t n) {
  return arch_syscall3(__NR_write, fd, (long)buf, (long)n);
}
// preadv passes the offset as two words on every arch, so no per-arch splitting.
inline long pread(int fd, void* buf, size_t n, uint64_t off) {
  struct iovec iov = {buf, n};
  return arch_syscall5(__NR_preadv, fd, (long)&iov, 1, (long)off, (long)(off >> 32));
}
inline long writev(int fd, const struct iovec* iov, int n) {
  return arch_syscall3(__NR_writev, fd, (long)iov, n);
}
inline long openat(int dirfd, const char* path, int flags, int mode = 0) {
  return arch_syscall4(__NR_openat, dirfd, (long)path, flags, mode);
}
inline long open(const char* path, int flags, int mode = 0) {
  return openat(AT_FDCWD, path, flags, mode);
}
inline long close(int fd) { return arch_syscall1(__NR_close, fd); }
inline long mincore(void* addr, size_t len, unsigned char* vec) {
  return arch_syscall3(__NR_mincore, (long)addr, (long)len, (long)vec);
}
inline long dup3(int from, int to, int flags) { return arch_syscall3(__NR_dup3, from, to, flags); }
inline long fcntl(int fd, int cmd, long arg) {
#ifdef __NR_fcntl64
  return arch_syscall3(__NR_fcntl64, fd, cmd, arg);
#else
  return arch_syscall3(__NR_fcntl, fd, cmd, arg);
#endif
}
inline long lseek(int fd, long off, int whence) {
  return arch_syscall3(__NR_lseek, fd, off, whence);
}
inline long fsync(int fd) { return arch_syscall1(__NR_fsync, fd); }
inline long renameat(int olddir, const char* from, int newdir, const char* to) {
  return arch_syscall5(__NR_renameat2, olddir, (long)from, newdir, (long)to, 0);
}
inline long unlinkat(int dir, const char* path, int flags) {
  return arch_syscall3(__NR_unlinkat, dir, (long)path, flags);
}
inline long mkdir(const char* path, int mode) {
  return arch_syscall3(__NR_mkdirat, AT_FDCWD, (long)path, mode);
}
inline long readlink(const char* path, char* buf, size_t n) {
  return arch_syscall4(__NR_readlinkat, AT_FDCWD, (long)path, (long)buf, (long)n);
}
inline long getdents64(int fd, void* buf, size_t n) {
  return arch_syscall3(__NR_getdents64, fd, (long)buf, (long)n);
}
inline void* mmap(void* addr, size_t len, int prot, int flags, int fd, uint64_t off) {
  return (void*)arch_syscall6(ARCH_NR_MMAP, (long)addr, (long)len, prot, flags, fd,
                              (long)(off >> ARCH_MMAP_OFFSET_SHIFT));
}
inline bool failed(const void* p) { return (uintptr_t)p > (uintptr_t)-4096; }
inline long munmap(void* addr, size_t len) {
  return arch_syscall2(__NR_munmap, (long)addr, (long)len);
}
inline long mprotect(void* addr, size_t len, int prot) {
  return arch_syscall3(__NR_mprotect, (long)addr, (long)len, prot);
}
inline long getpid() { return arch_syscall0(__NR_getpid); }
inline long getppid() { return arch_syscall0(__NR_getppid); }
inline long gettid() { return arch_syscall0(__NR_gettid); }
inline long tgkill(long pid, long tid, int sig) {
  return arch_syscall3(__NR_tgkill, pid, tid, sig);
}
inline long kill(long pid, int sig) { return arch_syscall2(__NR_kill, pid, sig); }
// Takes one signal of `set` (a 64-bit kernel sigset) pending for the caller, without
// waiting (a zero timeout: all-zero bytes whatever the width of the arch's timespec).
inline long take_pending_signal(const uint64_t* set, void* info) {
  static const long zero[4] = {0, 0, 0, 0};
  return arch_syscall4(__NR_rt_sigtimedwait, (long)set, (long)info, (long)zero, 8);
}
inline long rt_sigqueueinfo(long pid, int sig, const void* info) {
  return arch_syscall3(__NR_rt_sigqueueinfo, pid, sig, (long)info);
}
inline long rt_tgsigqueueinfo(long pid, long tid, int sig, const void* info) {
  return arch_syscall4(__NR_rt_tgsigqueueinfo, pid, tid, sig, (long)info);
}
inline long prctl(int op, long a, long b = 0, long c = 0, long d = 0) {
  return arch_syscall5(__NR_prctl, op, a, b, c, d);
}
inline long brk(long addr) { return arch_syscall1(__NR_brk, addr); }
// Kernel sigaction layout differs from libc's; callers pass the kernel's struct.
inline long rt_sigaction(int sig, const void* act, void* old) {
  return arch_syscall4(__NR_rt_sigaction, sig, (long)act, (long)old, 8);
}
inline long rt_sigprocmask(int how, const uint64_t* set, uint64_t* old) {
  return arch_syscall4(__NR_rt_sigprocmask, how, (long)set, (long)old, 8);
}
inline long sigaltstack(const stack_t* ss, stack_t* old) {
  return arch_syscall2(__NR_sigaltstack, (long)ss, (long)old);
}
inline long set_tid_address(void* addr) { return arch_syscall1(__NR_set_tid_address, (long)addr); }
inline long get_robust_list(void** head, size_t* len) {
  return arch_syscall3(__NR_get_robust_list, 0, (long)head, (long)len);
}
inline long set_robust_list(void* head, size_t len) {
  return arch_syscall2(__NR_set_robust_list, (long)head, (long)len);
}
inline long rseq(void* area, uint32_t len, int flags, uint32_t sig) {
  return arch_syscall4(__NR_rseq, (long)area, len, flags, sig);
}
inline long futex_wait(int* addr, int expected, const struct timespec* timeout) {
  return arch_syscall4(__NR_futex, (long)addr, FUTEX_WAIT_PRIVATE, expected, (long)timeout);
}
inline long futex_wake(int* addr, int n) {
  return arch_syscall3(__NR_futex, (long)addr, FUTEX_WAKE_PRIVATE, n);
}
inline long process_vm_readv(long pid, const struct iovec* local, unsigned long nl,
                             const struct iovec* remote, unsigned long nr) {
  return arch_syscall6(__NR_process_vm_readv, pid, (long)local, (long)nl, (long)remote,
                       (long)nr, 0);
}
inline long socket(int domain, int type, int proto) {
  return arch_syscall3(__NR_socket, domain, type, proto);
}
inline long setsockopt(int fd, int level, int name, const void* value, unsigned len) {
  return arch_syscall5(__NR_setsockopt, fd, level, name, (long)value, len);
}
inline long connect(int fd, const void* addr, unsigned len) {
  return arch_syscall3(__NR_connect, fd, (long)addr, len);
}
// The classic call takes the C library's struct timespec on every port we build
// (32-bit ports are built with 32-bit time_t).
inline long clock_gettime(int clock, struct timespec* ts) {
  return arch_syscall2(__NR_clock_gettime, clock, (long)ts);
}
inline long sleep_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  return arch_syscall4(__NR_clock_nanosleep, CLOCK_MONOTONIC, 0, (long)&t, 0);
}
[[noreturn]] inline void exit_group(int code) {
  for (;;) arch_syscall1(__NR_exit_group, code);
}

}  // namespace sys

#endif  // CORE_COMMON_RAW_SYSCALLS_H
