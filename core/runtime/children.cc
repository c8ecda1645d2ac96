#include "core/runtime/children.h"

#include <string.h>

#include "core/common/fmt.h"
#include "core/common/raw_syscalls.h"
#include "core/runtime/log.h"
#include "core/runtime/pid_table.h"
#include "core/runtime/proc_dir.h"

namespace rt {
namespace {

// How long a child may take to show our runtime in its memory (an exec and the
// dynamic loader, slow under an emulator), and then to join the coordinator.
constexpr long kLoadGraceMs = 3000;
constexpr long kJoinLimitMs = 30000;
constexpr int kMaxChildren = 1024;

enum class ChildState { kJoined, kGone, kForeign, kPending };

long NowMs() {
  struct timespec ts;
  sys::clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

long ReadSmallFile(const char* path, char* buf, long size) {
  long fd = sys::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fd;
  long len = 0;
  for (long n; len < size - 1 && (n = sys::read((int)fd, buf + len, (size_t)(size - 1 - len))) > 0;) {
    len += n;
  }
  sys::close((int)fd);
  buf[len] = '\0';
  return len;
}

// Every child of every thread of ours.
int ListChildren(int* out, int max) {
  int count = 0;
  ForEachNumberIn("/proc/self/task", [&](int tid, int) {
    char path[64], text[4096];
    fmt_format(path, sizeof path, "/proc/self/task/%d/children", tid);
    if (ReadSmallFile(path, text, sizeof text) <= 0) return;
    for (const char* p = text; *p && count < max;) {
      if (*p < '0' || *p > '9') {
        p++;
        continue;
      }
      int pid = 0;
      while (*p >= '0' && *p <= '9') pid = pid * 10 + (*p++ - '0');
      out[count++] = pid;
    }
  });
  return count;
}

// Whether a thread of `pid` carries `name`.
bool HasThreadNamed(int pid, const char* name) {
  char dir[64];
  fmt_format(dir, sizeof dir, "/proc/%d/task", pid);
  bool found = false;
  ForEachNumberIn(dir, [&](int tid, int) {
    char path[96], comm[32];
    fmt_format(path, sizeof path, "/proc/%d/task/%d/comm", pid, tid);
    if (!found && ReadSmallFile(path, comm, sizeof comm) > 0) {
      char* nl = strchr(comm, '\n');
      if (nl) *nl = '\0';
      found = strcmp(comm, name) == 0;
    }
  });
  return found;
}

// Whether our runtime is mapped in `pid` (maps can be long: read it in pieces).
bool RunsOurRuntime(int pid) {
  char path[64];
  fmt_format(path, sizeof path, "/proc/%d/maps", pid);
  long fd = sys::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  static char buf[8192 + 64];
  const char* needle = "libdmtcp.so";
  const long keep = (long)strlen(needle);
  long have = 0;
  bool found = false;
  for (long n; !found && (n = sys::read((int)fd, buf + have, 8192)) > 0;) {
    have += n;
    buf[have] = '\0';
    found = strstr(buf, needle) != nullptr;
    if (have > keep) {  // keep the tail, in case the name straddles two reads
      memmove(buf, buf + have - keep, (size_t)keep);
      have = keep;
    }
  }
  sys::close((int)fd);
  return found;
}

ChildState StateOf(int pid, long waited_ms) {
  char path[64], stat[512];
  fmt_format(path, sizeof path, "/proc/%d/stat", pid);
  if (ReadSmallFile(path, stat, sizeof stat) <= 0) return ChildState::kGone;
  const char* paren = strrchr(stat, ')');
  if (paren == nullptr || paren[1] == '\0' || paren[2] == 'Z' || paren[2] == 'X') return ChildState::kGone;
  if (HasThreadNamed(pid, kJoinedThreadName)) return ChildState::kJoined;
  if (HasThreadNamed(pid, kUnjoinedThreadName)) return ChildState::kForeign;
  if (!RunsOurRuntime(pid) && waited_ms >= kLoadGraceMs) return ChildState::kForeign;
  return ChildState::kPending;
}

// The wait status of a zombie (field 52 of its stat line), or -1 if `pid` is not one.
int ZombieStatus(int pid) {
  char path[64], stat[1024];
  fmt_format(path, sizeof path, "/proc/%d/stat", pid);
  if (ReadSmallFile(path, stat, sizeof stat) <= 0) return -1;
  const char* p = strrchr(stat, ')');
  if (p == nullptr || p[1] != ' ' || p[2] != 'Z') return -1;
  p += 2;  // at field 3
  for (int field = 3; field < 52; field++) {
    p = strchr(p, ' ');
    if (p == nullptr) return -1;
    p++;
  }
  long status = 0;
  while (*p >= '0' && *p <= '9') status = status * 10 + (*p++ - '0');
  return (int)status;
}

}  // namespace

int WriteZombieRecords(img::ImageWriter* writer) {
  static int children[kMaxChildren];
  const int n = ListChildren(children, kMaxChildren);
  for (int i = 0; i < n; i++) {
    const int status = ZombieStatus(children[i]);
    if (status < 0) continue;
    struct img_zombie z = {(uint64_t)RealToVirtual(children[i]), status, 0};
    int rc = writer->WriteRecord(IMG_REC_ZOMBIE, &z, sizeof z);
    if (rc < 0) return rc;
  }
  return 0;
}

void WaitForChildrenToJoin() {
  static int children[kMaxChildren];
  const long start = NowMs();
  for (;;) {
    const long waited = NowMs() - start;
    const int n = ListChildren(children, kMaxChildren);
    int pending = -1;
    for (int i = 0; i < n && pending < 0; i++) {
      if (StateOf(children[i], waited) == ChildState::kPending) pending = children[i];
    }
    if (pending < 0) return;
    if (waited >= kJoinLimitMs) {
      Warn("checkpoint: child process %d has not joined the coordinator after %ld s; "
           "it is not part of this checkpoint", pending, waited / 1000);
      return;
    }
    sys::sleep_ms(waited < 100 ? 1 : 10);
  }
}

}  // namespace rt
