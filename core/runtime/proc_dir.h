// proc_dir.h - listing a /proc directory of numbers (/proc/self/task, /proc/self/fd)
// with raw system calls and a stack buffer: usable while other threads are frozen.
#ifndef CORE_RUNTIME_PROC_DIR_H
#define CORE_RUNTIME_PROC_DIR_H

#include "core/common/dir_entries.h"
#include "core/common/raw_syscalls.h"

namespace rt {

// Calls fn(number, dir_fd) for each entry of `path` whose name is a number; dir_fd is
// the directory's own descriptor (it shows up in /proc/self/fd). Returns false if the
// directory cannot be opened.
template <typename Fn>
bool ForEachNumberIn(const char* path, Fn&& fn) {
  long dir = sys::open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return false;
  ForEachDirEntry((int)dir, [&](const char* name) {
    if (name[0] < '0' || name[0] > '9') return;
    int number = 0;
    for (const char* c = name; *c; c++) number = number * 10 + (*c - '0');
    fn(number, (int)dir);
  });
  sys::close((int)dir);
  return true;
}

}  // namespace rt

#endif  // CORE_RUNTIME_PROC_DIR_H
