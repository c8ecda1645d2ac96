// Paths the program gives the kernel: a --pathvirt mapping first (path_mapping.h), then
// paths under /proc that name a process or thread by id: /proc/<pid>/... and
// /proc/<pid>/task/<tid>/... take the ids the program knows (pid_table.h), so after a
// restart they are rewritten to the kernel's ids before the call. Only the path is
// translated; ids inside the files read (the first field of /proc/<pid>/stat, for one)
// are the kernel's.
//
// These wrappers sit on every open() of the program: a path not starting with "/proc/"
// costs one comparison, and nothing here allocates or locks.
//
// The libc headers that declare these functions are left out on purpose: they would
// rename some to their 64-bit-offset variants on 32-bit arches, and the structs are
// opaque here anyway (FILE, DIR and struct stat are only passed through).
#undef _FILE_OFFSET_BITS
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/types.h>

#include <type_traits>

#include "core/common/fmt.h"
#include "core/common/raw_syscalls.h"
#include "core/runtime/wrappers.h"
#include "core/runtime/path_mapping.h"
#include "core/runtime/pid_table.h"


namespace {

constexpr size_t kPathMax = 4096;

// Reads a decimal id at *p; returns -1 if there is none or it is not a whole component.
long ParseComponentId(const char** p) {
  const char* s = *p;
  long id = 0;
  int digits = 0;
  while (*s >= '0' && *s <= '9' && digits < 10) id = id * 10 + (*s++ - '0'), digits++;
  if (digits == 0 || (*s != '/' && *s != '\0')) return -1;
  *p = s;
  return id;
}

// Whether the bytes at [p, p + len) are mapped, asked of the kernel (mincore fails
// with ENOMEM on unmapped pages, and with EINVAL or EFAULT past user space): a path the
// kernel would refuse with EFAULT must reach it untouched, not crash us.
bool Mapped(const void* p, size_t len) {
  const uintptr_t page = 4096;  // the smallest page any arch has: checks more, not less
  unsigned char vec[2];
  const uintptr_t first = (uintptr_t)p & ~(page - 1);
  const uintptr_t last = ((uintptr_t)p + len - 1) & ~(page - 1);
  return sys::mincore((void*)first, last - first + page, vec) == 0;
}

// `path` with its process and thread ids made the kernel's, in `buf` if anything
// changed; else `path` itself. Until a restart makes ids differ there is nothing to do,
// and the path is not even read.
const char* KernelIdsPath(const char* path, char* buf) {
  if (path == nullptr || !rt::AnyIdTranslated() || !Mapped(path, 6) ||
      strncmp(path, "/proc/", 6) != 0) {
    return path;
  }
  const char* p = path + 6;
  const char* pid_at = p;
  long pid = ParseComponentId(&p);
  const char* pid_end = p;
  if (pid < 0) {  // /proc/self/task/<tid>, /proc/thread-self: the tid alone
    if (strncmp(p, "self/", 5) != 0) return path;
    p += 5;
    pid_end = pid_at;
  }
  long real_pid = pid < 0 ? -1 : rt::VirtualToReal(pid);
  long tid = -1, real_tid = -1;
  const char* tid_at = nullptr;
  const char* tid_end = nullptr;
  if (*p == '/') p++;
  if (strncmp(p, "task/", 5) == 0) {
    tid_at = p + 5;
    const char* q = tid_at;
    tid = ParseComponentId(&q);
    tid_end = q;
    if (tid >= 0) real_tid = rt::VirtualToReal(tid);
  }
  if (real_pid == pid && real_tid == tid) return path;
  // Rebuild: prefix up to the pid, the pid, up to the tid, the tid, the rest.
  char pid_text[16] = "", tid_text[16] = "";
  if (pid >= 0) fmt_format(pid_text, sizeof pid_text, "%ld", real_pid);
  if (tid >= 0) fmt_format(tid_text, sizeof tid_text, "%ld", real_tid);
  const char* middle = pid >= 0 ? pid_end : pid_at;
  const char* rest = tid >= 0 ? tid_end : middle + strlen(middle);
  const size_t middle_len = (size_t)((tid >= 0 ? tid_at : rest) - middle);
  const size_t need = (size_t)(pid_at - path) + strlen(pid_text) + middle_len + strlen(tid_text) +
                      strlen(rest) + 1;
  if (need > kPathMax) return path;
  char* out = buf;
  memcpy(out, path, (size_t)(pid_at - path));
  out += pid_at - path;
  out += fmt_format(out, 16, "%s", pid_text);
  memcpy(out, middle, middle_len);
  out += middle_len;
  out += fmt_format(out, 16, "%s", tid_text);
  memcpy(out, rest, strlen(rest) + 1);
  return buf;
}

bool Readable(const char* p, size_t len) { return Mapped(p, len); }

// The path the kernel is given: a --pathvirt prefix mapped (path_mapping.h), or else
// the ids of a /proc path translated. In `buf` when it differs from `path`. (One buffer
// only: these wrappers may run in a signal handler on a small alternate stack.)
const char* KernelPath(const char* path, char* buf) {
  const char* mapped = rt::MapPath(path, buf, kPathMax, Readable);
  return mapped == buf ? mapped : KernelIdsPath(path, buf);
}

bool TakesMode(int flags) { return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE; }


}  // namespace

#define MODE_ARG(flags)             \
  mode_t mode = 0;                  \
  if (TakesMode(flags)) {           \
    va_list ap;                     \
    va_start(ap, flags);            \
    mode = (mode_t)va_arg(ap, int); \
    va_end(ap);                     \
  }

using OpenFn = int (*)(const char*, int, ...);
using OpenatFn = int (*)(int, const char*, int, ...);
using Open2Fn = int (*)(const char*, int);
using Openat2Fn = int (*)(int, const char*, int);

EXPORT int open(const char* path, int flags, ...) {
  MODE_ARG(flags);
  char buf[kPathMax];
  CALL_REAL(OpenFn, open, KernelPath(path, buf), flags, mode);
}
EXPORT int open64(const char* path, int flags, ...) {
  MODE_ARG(flags);
  char buf[kPathMax];
  CALL_REAL(OpenFn, open64, KernelPath(path, buf), flags, mode);
}
EXPORT int openat(int dir, const char* path, int flags, ...) {
  MODE_ARG(flags);
  char buf[kPathMax];
  CALL_REAL(OpenatFn, openat, dir, KernelPath(path, buf), flags, mode);
}
EXPORT int openat64(int dir, const char* path, int flags, ...) {
  MODE_ARG(flags);
  char buf[kPathMax];
  CALL_REAL(OpenatFn, openat64, dir, KernelPath(path, buf), flags, mode);
}
// _FORTIFY_SOURCE's checked versions.
EXPORT int __open_2(const char* path, int flags) {
  char buf[kPathMax];
  CALL_REAL(Open2Fn, __open_2, KernelPath(path, buf), flags);
}
EXPORT int __open64_2(const char* path, int flags) {
  char buf[kPathMax];
  CALL_REAL(Open2Fn, __open64_2, KernelPath(path, buf), flags);
}
EXPORT int __openat_2(int dir, const char* path, int flags) {
  char buf[kPathMax];
  CALL_REAL(Openat2Fn, __openat_2, dir, KernelPath(path, buf), flags);
}
EXPORT int __openat64_2(int dir, const char* path, int flags) {
  char buf[kPathMax];
  CALL_REAL(Openat2Fn, __openat64_2, dir, KernelPath(path, buf), flags);
}

using FopenFn = void* (*)(const char*, const char*);  // FILE*
EXPORT void* fopen(const char* path, const char* mode) {
  char buf[kPathMax];
  CALL_REAL(FopenFn, fopen, KernelPath(path, buf), mode);
}
EXPORT void* fopen64(const char* path, const char* mode) {
  char buf[kPathMax];
  CALL_REAL(FopenFn, fopen64, KernelPath(path, buf), mode);
}

using OpendirFn = void* (*)(const char*);  // DIR*
EXPORT void* opendir(const char* path) {
  char buf[kPathMax];
  CALL_REAL(OpendirFn, opendir, KernelPath(path, buf));
}

using ChdirFn = int (*)(const char*);
EXPORT int chdir(const char* path) {
  char buf[kPathMax];
  CALL_REAL(ChdirFn, chdir, KernelPath(path, buf));
}

using AccessFn = int (*)(const char*, int);
using FaccessatFn = int (*)(int, const char*, int, int);
EXPORT int access(const char* path, int how) {
  char buf[kPathMax];
  CALL_REAL(AccessFn, access, KernelPath(path, buf), how);
}
EXPORT int faccessat(int dir, const char* path, int how, int flags) {
  char buf[kPathMax];
  CALL_REAL(FaccessatFn, faccessat, dir, KernelPath(path, buf), how, flags);
}

// stat and friends: the struct is opaque here, so one wrapper fits every layout.
using StatFn = int (*)(const char*, void*);
using FstatatFn = int (*)(int, const char*, void*, int);
using StatxFn = int (*)(int, const char*, int, unsigned, void*);
EXPORT int stat(const char* path, void* st) {
  char buf[kPathMax];
  CALL_REAL(StatFn, stat, KernelPath(path, buf), st);
}
EXPORT int stat64(const char* path, void* st) {
  char buf[kPathMax];
  CALL_REAL(StatFn, stat64, KernelPath(path, buf), st);
}
EXPORT int lstat(const char* path, void* st) {
  char buf[kPathMax];
  CALL_REAL(StatFn, lstat, KernelPath(path, buf), st);
}
EXPORT int lstat64(const char* path, void* st) {
  char buf[kPathMax];
  CALL_REAL(StatFn, lstat64, KernelPath(path, buf), st);
}
EXPORT int fstatat(int dir, const char* path, void* st, int flags) {
  char buf[kPathMax];
  CALL_REAL(FstatatFn, fstatat, dir, KernelPath(path, buf), st, flags);
}
EXPORT int fstatat64(int dir, const char* path, void* st, int flags) {
  char buf[kPathMax];
  CALL_REAL(FstatatFn, fstatat64, dir, KernelPath(path, buf), st, flags);
}
EXPORT int statx(int dir, const char* path, int flags, unsigned mask, void* st) {
  char buf[kPathMax];
  CALL_REAL(StatxFn, statx, dir, KernelPath(path, buf), flags, mask, st);
}

// readlink also answers "which process is /proc/self?" with the program's id.
using ReadlinkFn = ssize_t (*)(const char*, char*, size_t);
using ReadlinkatFn = ssize_t (*)(int, const char*, char*, size_t);

static ssize_t VirtualSelfLink(const char* path, char* out, size_t size, ssize_t n) {
  if (n <= 0 || path == nullptr) return n;
  const bool self = strcmp(path, "/proc/self") == 0;
  const bool thread_self = strcmp(path, "/proc/thread-self") == 0;
  if (!self && !thread_self) return n;
  char text[64];
  if (self) {
    fmt_format(text, sizeof text, "%ld", rt::VirtualPid());
  } else {
    fmt_format(text, sizeof text, "%ld/task/%ld", rt::VirtualPid(), rt::RealToVirtual(sys::gettid()));
  }
  const size_t len = strlen(text);
  const size_t copy = len < size ? len : size;
  memcpy(out, text, copy);
  return (ssize_t)copy;
}

EXPORT ssize_t readlink(const char* path, char* out, size_t size) {
  char buf[kPathMax];
  static ReadlinkFn real_readlink;
  ReadlinkFn fn = rt::Real(&real_readlink, "readlink");
  if (fn == nullptr) {
    errno = ENOSYS;
    return -1;
  }
  return VirtualSelfLink(path, out, size, fn(KernelPath(path, buf), out, size));
}
EXPORT ssize_t readlinkat(int dir, const char* path, char* out, size_t size) {
  char buf[kPathMax];
  static ReadlinkatFn real_readlinkat;
  ReadlinkatFn fn = rt::Real(&real_readlinkat, "readlinkat");
  if (fn == nullptr) {
    errno = ENOSYS;
    return -1;
  }
  return VirtualSelfLink(path, out, size, fn(dir, KernelPath(path, buf), out, size));
}
