#include "core/runtime/fd_table.h"

#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "core/common/fds.h"
#include "core/common/fmt.h"
#include "core/common/raw_syscalls.h"
#include "core/runtime/hooks.h"
#include "core/runtime/log.h"
#include "core/runtime/proc_dir.h"

namespace rt {
namespace {

constexpr int kMaxFds = 1024;
FdEntry* g_fds;
int g_count;

bool StartsWith(const char* s, const char* prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

// Kernel struct stat differs per arch; statx is the same everywhere.
unsigned Mode(int fd) {
  struct statx st;
  long rc = arch_syscall5(__NR_statx, fd, (long)"", AT_EMPTY_PATH, STATX_TYPE, (long)&st);
  return rc < 0 ? 0 : st.stx_mode;
}

long long ParseField(const char* text, const char* name, int base) {
  const char* p = strstr(text, name);
  if (p == nullptr) return 0;
  p += strlen(name);
  while (*p == ' ' || *p == '\t') p++;
  long long v = 0;
  for (; *p >= '0' && *p < '0' + base; p++) v = v * base + (*p - '0');
  return v;
}

void ReadFdInfo(FdEntry* e) {
  char path[64], text[512];
  fmt_format(path, sizeof path, "/proc/self/fdinfo/%d", e->fd);
  long f = sys::open(path, O_RDONLY | O_CLOEXEC);
  if (f < 0) return;
  long n = sys::read(f, text, sizeof text - 1);
  sys::close(f);
  text[n > 0 ? n : 0] = '\0';
  e->pos = ParseField(text, "pos:", 10);
  // Flags from fcntl, not fdinfo: under an emulator fdinfo shows the host's flag bits
  // (x86's O_DIRECTORY is ARM's O_DIRECT), fcntl the program's own.
  const long flags = sys::fcntl(e->fd, F_GETFL, 0);
  e->flags = flags >= 0 ? (int)flags : (int)ParseField(text, "flags:", 8);
  const long fd_flags = sys::fcntl(e->fd, F_GETFD, 0);
  e->cloexec = fd_flags >= 0 ? (fd_flags & FD_CLOEXEC) != 0 : (e->flags & O_CLOEXEC) != 0;
}

// A POSIX message queue looks like a regular file; its filesystem tells it apart.
bool IsMessageQueue(int fd) {
  constexpr unsigned long kMqueueMagic = 0x19800202;
  unsigned long statfs[32];  // the kernel's struct statfs: f_type is its first word
  return arch_syscall2(__NR_fstatfs, fd, (long)statfs) == 0 && statfs[0] == kMqueueMagic;
}

FdKind Classify(const FdEntry& e, unsigned mode) {
  if (S_ISREG(mode)) return IsMessageQueue(e.fd) ? FdKind::kMqueue : FdKind::kFile;
  if (S_ISDIR(mode)) return FdKind::kDirectory;
  if (S_ISFIFO(mode)) return StartsWith(e.path, "pipe:[") ? FdKind::kPipe : FdKind::kFifo;
  if (S_ISSOCK(mode)) return FdKind::kSocket;
  if (S_ISCHR(mode)) {
    return StartsWith(e.path, "/dev/pts/") || StartsWith(e.path, "/dev/tty") ||
                   StartsWith(e.path, "/dev/console") || StartsWith(e.path, "/dev/ptmx")
               ? FdKind::kTerminal
               : FdKind::kDevice;
  }
  return FdKind::kOther;
}

}  // namespace

void ScanFds() {
  if (g_fds == nullptr) {
    void* mem = sys::mmap(nullptr, sizeof(FdEntry) * kMaxFds, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (sys::failed(mem)) return;
    g_fds = static_cast<FdEntry*>(mem);
  }
  g_count = 0;
  bool full = false;
  ForEachNumberIn("/proc/self/fd", [&](int fd, int dir_fd) {
    if (fd == dir_fd || fd >= FD_RUNTIME_LOWEST || full) return;
    if (g_count >= kMaxFds) {
      Warn("more than %d descriptors: fd %d and above are not saved", kMaxFds, fd);
      full = true;
      return;
    }
    FdEntry* e = &g_fds[g_count++];
    memset(e, 0, sizeof *e);
    e->fd = fd;
    char link[64];
    fmt_format(link, sizeof link, "/proc/self/fd/%d", fd);
    long len = sys::readlink(link, e->path, sizeof e->path - 1);
    e->path[len > 0 ? len : 0] = '\0';
    ReadFdInfo(e);
    e->kind = Classify(*e, Mode(fd));
    const char* bracket = strchr(e->path, '[');
    if (bracket) {
      for (const char* c = bracket + 1; *c >= '0' && *c <= '9'; c++) e->inode = e->inode * 10 + (*c - '0');
    }
  });
}

int FdCount() { return g_fds ? g_count : 0; }
FdEntry* FdAt(int i) { return &g_fds[i]; }

int MoveFd(int fd, const FdEntry& entry) {
  if (fd != entry.fd) {
    long rc = sys::dup3(fd, entry.fd, 0);
    sys::close(fd);
    if (rc < 0) return (int)rc;
  }
  sys::fcntl(entry.fd, F_SETFD, entry.cloexec ? FD_CLOEXEC : 0);
  return 0;
}

namespace {
// Why a descriptor was left out: no plugin handles its kind, or the one that does was
// disabled on purpose.
const char* WhyLeftOut() {
  return DisabledPlugins() != nullptr ? "this kind is not supported yet, or its plugin is disabled"
                                      : "this kind is not supported yet";
}
}  // namespace

int NextOwnedFd(ClaimsFn owner, int from) {
  int i = from;
  while (i < FdCount() && g_fds[i].owner != owner) i++;
  return i;
}

void WarnUnsavedFds() {
  for (int i = 0; i < FdCount(); i++) {
    const FdEntry& e = g_fds[i];
    if (e.saved) continue;
    Warn("checkpoint: fd %d (%s) cannot be restored: %s", e.fd, e.path, WhyLeftOut());
  }
}

void RestoreGivenFds() {
  // What F_SETFL can set; the access mode came with the descriptor.
  constexpr int kStatusFlags = O_NONBLOCK | O_APPEND | O_ASYNC | O_DIRECT;
  for (int i = 0; i < FdCount(); i++) {
    FdEntry& e = g_fds[i];
    if (e.owner == nullptr || e.restored) continue;
    const unsigned mode = Mode(e.fd);
    if (mode == 0 || Classify(e, mode) != e.kind) continue;  // not given back
    sys::fcntl(e.fd, F_SETFL, e.flags & kStatusFlags);
    sys::fcntl(e.fd, F_SETFD, e.cloexec ? FD_CLOEXEC : 0);
    e.restored = 1;
  }
}

void WarnUnrestoredFds() {
  for (int i = 0; i < FdCount(); i++) {
    const FdEntry& e = g_fds[i];
    if (e.restored || e.fd <= 2) continue;
    Warn("restart: fd %d (%s) is not restored: %s", e.fd, e.path, WhyLeftOut());
  }
}

}  // namespace rt
