// proc_dir.h - listing a /proc directory of numbers (/proc/self/task, /proc/self/fd)
// with raw system calls and a stack buffer: usable while other threads are frozen.
#ifndef CORE_RUNTIME_PROC_DIR_H
#define CORE_RUNTIME_PROC_DIR_H

#include <string.h>

#include "core/common/raw_syscalls.h"

namespace rt {

// Calls fn(number, dir_fd) for each entry of `path` whose name is a number; dir_fd is
// the directory's own descriptor (it shows up in /proc/self/fd). Returns false if the
// directory cannot be opened.
template <typename Fn>
bool ForEachNumberIn(const char* path, Fn&& fn) {
  long dir = sys::open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return false;
  alignas(8) char buf[4096];
  for (;;) {
    long n = sys::getdents64((int)dir, buf, sizeof buf);
    if (n <= 0) break;
    for (long off = 0; off < n;) {
      // struct linux_dirent64: u64 ino, s64 off, u16 reclen, u8 type, char name[]
      unsigned short reclen;
      memcpy(&reclen, buf + off + 16, 2);
      const char* name = buf + off + 19;
      off += reclen;
      if (name[0] < '0' || name[0] > '9') continue;
      int number = 0;
      for (const char* c = name; *c; c++) number = number * 10 + (*c - '0');
      fn(number, (int)dir);
    }
  }
  sys::close((int)dir);
  return true;
}

}  // namespace rt

#endif  // CORE_RUNTIME_PROC_DIR_H
