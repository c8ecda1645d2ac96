// dir_entries.h - the names in a directory, read with raw system calls into a stack
// buffer: usable where nothing may allocate (the runtime while threads are frozen).
#ifndef CORE_COMMON_DIR_ENTRIES_H
#define CORE_COMMON_DIR_ENTRIES_H

#include <string.h>

#include "core/common/raw_syscalls.h"

// Calls fn(name) for each entry of the open directory `dir_fd`, from its current
// position ("." and ".." included).
template <typename Fn>
void ForEachDirEntry(int dir_fd, Fn&& fn) {
  alignas(8) char buf[4096];
  for (;;) {
    const long n = sys::getdents64(dir_fd, buf, sizeof buf);
    if (n <= 0) return;
    for (long off = 0; off < n;) {
      // struct linux_dirent64: u64 ino, s64 off, u16 reclen, u8 type, char name[]
      unsigned short reclen;
      memcpy(&reclen, buf + off + 16, sizeof reclen);
      fn(static_cast<const char*>(buf + off + 19));
      off += reclen;
    }
  }
}

#endif  // CORE_COMMON_DIR_ENTRIES_H
