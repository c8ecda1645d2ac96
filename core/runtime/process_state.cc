#include "core/runtime/process_state.h"

#include <errno.h>
#include <linux/prctl.h>
#include <string.h>

#include "core/common/raw_syscalls.h"
#include "core/runtime/log.h"

namespace rt {
namespace {

long ReadFile(const char* path, char* buf, size_t size) {
  long fd = sys::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fd;
  size_t len = 0;
  for (;;) {
    long n = sys::read(fd, buf + len, size - len);
    if (n <= 0) break;
    len += (size_t)n;
    if (len == size) break;
  }
  sys::close(fd);
  return (long)len;
}

// Field `index` (1-based, as proc(5) numbers them) of /proc/self/stat.
uint64_t StatField(const char* stat, int index) {
  const char* p = strrchr(stat, ')');  // the command name may hold spaces
  if (p == nullptr) return 0;
  p += 2;                              // now at field 3
  for (int field = 3; field < index && *p; field++) {
    while (*p && *p != ' ') p++;
    if (*p == ' ') p++;
  }
  uint64_t v = 0;
  while (*p >= '0' && *p <= '9') v = v * 10 + (uint64_t)(*p++ - '0');
  return v;
}

// struct prctl_mm_map as the 64-bit kernel reads it. <linux/prctl.h> declares auxv as
// a pointer, which makes the struct 4 bytes shorter in a 32-bit program; the kernel
// has no compat translation and refuses the shorter one.
struct KernelMmMap {
  uint64_t start_code, end_code, start_data, end_data, start_brk, brk, start_stack;
  uint64_t arg_start, arg_end, env_start, env_end;
  uint64_t auxv;
  uint32_t auxv_size;
  uint32_t exe_fd;
};
static_assert(sizeof(KernelMmMap) == 104, "the kernel's prctl_mm_map is 104 bytes");

}  // namespace

int ReadProcessState(struct img_process* p) {
  memset(p, 0, sizeof *p);
  char stat[2048];
  long n = ReadFile("/proc/self/stat", stat, sizeof stat - 1);
  if (n <= 0) return n < 0 ? (int)n : -EIO;
  stat[n] = '\0';
  p->start_code = StatField(stat, 26);
  p->end_code = StatField(stat, 27);
  p->start_stack = StatField(stat, 28);
  p->start_data = StatField(stat, 45);
  p->end_data = StatField(stat, 46);
  p->start_brk = StatField(stat, 47);
  p->arg_start = StatField(stat, 48);
  p->arg_end = StatField(stat, 49);
  p->env_start = StatField(stat, 50);
  p->env_end = StatField(stat, 51);
  p->brk = (uint64_t)sys::brk(0);
  n = ReadFile("/proc/self/auxv", reinterpret_cast<char*>(p->auxv), sizeof p->auxv);
  p->auxv_bytes = n > 0 ? (uint32_t)n : 0;
  n = sys::readlink("/proc/self/exe", p->exe, sizeof p->exe - 1);
  p->exe[n > 0 ? n : 0] = '\0';
  n = sys::readlink("/proc/self/cwd", p->cwd, sizeof p->cwd - 1);
  p->cwd[n > 0 ? n : 0] = '\0';
  return 0;
}

void RestoreProcessState(const struct img_process& saved) {
  KernelMmMap map;
  memset(&map, 0, sizeof map);
  map.start_code = saved.start_code;
  map.end_code = saved.end_code;
  map.start_data = saved.start_data;
  map.end_data = saved.end_data;
  map.start_brk = saved.start_brk;
  map.brk = saved.brk;
  map.start_stack = saved.start_stack;
  map.arg_start = saved.arg_start;
  map.arg_end = saved.arg_end;
  map.env_start = saved.env_start;
  map.env_end = saved.env_end;
  map.auxv = (uint64_t)(uintptr_t)saved.auxv;
  map.auxv_size = saved.auxv_bytes;
  long exe = sys::open(saved.exe, O_RDONLY | O_CLOEXEC);
  map.exe_fd = exe >= 0 ? (uint32_t)exe : (uint32_t)-1;
  long rc = sys::prctl(PR_SET_MM, PR_SET_MM_MAP, (long)&map, sizeof map);
  if (rc < 0 && exe >= 0) {
    // Changing the exe link needs privileges some users lack; the layout matters more.
    map.exe_fd = (uint32_t)-1;
    rc = sys::prctl(PR_SET_MM, PR_SET_MM_MAP, (long)&map, sizeof map);
  }
  if (exe >= 0) sys::close(exe);
  if (rc < 0) {
    Warn("restart: the kernel refused the saved memory layout (errno %ld); brk-based "
         "allocation falls back to mmap", -rc);
  }
  if (saved.cwd[0] != '\0' && arch_syscall1(__NR_chdir, (long)saved.cwd) < 0) {
    Warn("restart: cannot enter the saved working directory %s", saved.cwd);
  }
}

}  // namespace rt
