// Plugin: open files. Regular files, directories and character devices are reopened
// by path after a restart, at their offset and with their flags. Terminals on 0-2
// become the terminal dmtcp_restart runs in. Other kinds (pipes, sockets, eventfds,
// ...) are not restored yet: a restart says so, fd by fd, instead of pretending.
//
// Policy for a file that changed: it is reopened as it is now (a shorter file keeps
// the saved offset, as after lseek past the end). A file deleted before the
// checkpoint, or gone at restart, is not restored and a warning names it.
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "core/common/fds.h"
#include "core/common/fmt.h"
#include "core/common/raw_syscalls.h"
#include "core/image/format.h"
#include "core/runtime/hooks.h"
#include "core/runtime/log.h"

namespace rt {
namespace {

enum class FdKind { kFile, kDirectory, kDevice, kTerminal, kOther };

struct SavedFd {
  int fd;
  FdKind kind;
  int flags;       // open flags, from /proc/self/fdinfo
  long long pos;
  char path[IMG_PATH_MAX];
};

constexpr int kMaxSaved = 1024;
SavedFd* g_saved;  // kMaxSaved entries, allocated on first use; in the image's memory
int g_saved_count;

bool StartsWith(const char* s, const char* prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool EndsWith(const char* s, const char* suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

// Kernel struct stat differs per arch; statx is the same everywhere.
bool Mode(int fd, unsigned* mode) {
  struct statx st;
  long rc = arch_syscall5(__NR_statx, fd, (long)"", AT_EMPTY_PATH, STATX_TYPE, (long)&st);
  if (rc < 0) return false;
  *mode = st.stx_mode;
  return true;
}

void ReadFdInfo(int fd, SavedFd* s) {
  char path[64], text[512];
  fmt_format(path, sizeof path, "/proc/self/fdinfo/%d", fd);
  long f = sys::open(path, O_RDONLY | O_CLOEXEC);
  if (f < 0) return;
  long n = sys::read(f, text, sizeof text - 1);
  sys::close(f);
  text[n > 0 ? n : 0] = '\0';
  const char* p = strstr(text, "pos:");
  if (p) {
    p += 4;
    while (*p == ' ' || *p == '\t') p++;
    long long v = 0;
    while (*p >= '0' && *p <= '9') v = v * 10 + (*p++ - '0');
    s->pos = v;
  }
  p = strstr(text, "flags:");
  if (p) {
    p += 6;
    while (*p == ' ' || *p == '\t') p++;
    int v = 0;
    while (*p >= '0' && *p <= '7') v = v * 8 + (*p++ - '0');
    s->flags = v;
  }
}

void Save() {
  if (g_saved == nullptr) {
    void* mem = sys::mmap(nullptr, sizeof(SavedFd) * kMaxSaved, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (sys::failed(mem)) return;
    g_saved = static_cast<SavedFd*>(mem);
  }
  g_saved_count = 0;
  long dir = sys::open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return;
  alignas(8) char buf[4096];
  for (;;) {
    long n = sys::getdents64((int)dir, buf, sizeof buf);
    if (n <= 0) break;
    for (long off = 0; off < n;) {
      unsigned short reclen;
      memcpy(&reclen, buf + off + 16, 2);
      const char* name = buf + off + 19;
      off += reclen;
      if (name[0] < '0' || name[0] > '9') continue;
      int fd = 0;
      for (const char* c = name; *c; c++) fd = fd * 10 + (*c - '0');
      if (fd == dir || fd >= FD_RUNTIME_LOWEST || g_saved_count >= kMaxSaved) continue;
      SavedFd* s = &g_saved[g_saved_count++];
      memset(s, 0, sizeof *s);
      s->fd = fd;
      char link[64];
      fmt_format(link, sizeof link, "/proc/self/fd/%d", fd);
      long len = sys::readlink(link, s->path, sizeof s->path - 1);
      s->path[len > 0 ? len : 0] = '\0';
      ReadFdInfo(fd, s);
      unsigned mode = 0;
      Mode(fd, &mode);
      if (S_ISREG(mode)) {
        s->kind = FdKind::kFile;
      } else if (S_ISDIR(mode)) {
        s->kind = FdKind::kDirectory;
      } else if (S_ISCHR(mode)) {
        s->kind = StartsWith(s->path, "/dev/pts/") || StartsWith(s->path, "/dev/tty") ||
                          StartsWith(s->path, "/dev/console")
                      ? FdKind::kTerminal
                      : FdKind::kDevice;
      } else {
        s->kind = FdKind::kOther;
      }
    }
  }
  sys::close((int)dir);
}

void RestoreOne(const SavedFd& s) {
  if (s.kind == FdKind::kTerminal && s.fd <= 2) return;  // dmtcp_restart's terminal
  if (s.kind == FdKind::kOther || s.kind == FdKind::kTerminal) {
    if (s.fd > 2) Warn("restart: fd %d (%s) is not restored: this kind is not supported yet", s.fd, s.path);
    return;
  }
  if (EndsWith(s.path, " (deleted)")) {
    Warn("restart: fd %d is not restored: %s was deleted before the checkpoint", s.fd, s.path);
    return;
  }
  int flags = s.flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY);
  flags |= O_CLOEXEC;  // while moving it; the saved flag is put back below
  long fd = sys::open(s.path, flags);
  if (fd < 0) {
    Warn("restart: fd %d is not restored: cannot open %s (errno %ld)", s.fd, s.path, -fd);
    return;
  }
  if (fd != s.fd) {
    long rc = sys::dup3((int)fd, s.fd, 0);
    sys::close((int)fd);
    if (rc < 0) {
      Warn("restart: fd %d is not restored: %s (errno %ld)", s.fd, s.path, -rc);
      return;
    }
  }
  sys::fcntl(s.fd, F_SETFD, (s.flags & O_CLOEXEC) ? FD_CLOEXEC : 0);
  if (s.kind != FdKind::kDevice && s.pos > 0) sys::lseek(s.fd, (long)s.pos, SEEK_SET);
}

void OnEvent(Event event) {
  if (event == Event::kPreCheckpoint) {
    Save();
  } else if (event == Event::kRestart && g_saved != nullptr) {
    for (int i = 0; i < g_saved_count; i++) RestoreOne(g_saved[i]);
  }
}

}  // namespace

RUNTIME_PLUGIN(files, OnEvent)

}  // namespace rt
