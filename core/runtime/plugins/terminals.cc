// Plugin: terminals and pseudo-terminals.
//
// At checkpoint each terminal descriptor becomes a TERMINAL record (role, pty number,
// whether it is the session's controlling terminal and which group is in its
// foreground, window size), and its modes (termios), packet mode and lock are kept
// here. dmtcp_restart recreates each pseudo-terminal whose master the computation
// held, with its window size, and makes it the controlling terminal of the session
// leader that had it; a terminal whose master was outside becomes dmtcp_restart's own
// (core/restart/descriptor_broker.cc). After the restart, here: /dev/tty and other named
// terminals are reopened, every terminal gets its modes back, the group that was in
// the foreground is put there again, and a program whose window changed size gets
// SIGWINCH, as it would when the user resizes it.
//
// The bytes waiting in a pseudo-terminal's queues at checkpoint time are not kept.
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "core/common/raw_syscalls.h"
#include "core/runtime/fd_table.h"
#include "core/runtime/hooks.h"
#include "core/runtime/log.h"
#include "core/runtime/pid_table.h"
#include "core/runtime/restart.h"

namespace rt {
namespace {

constexpr int kMaxTerminals = 64;
constexpr int kTermiosBytes = 64;  // room for the kernel's struct termios on every arch

struct SavedTerminal {
  struct img_terminal record;
  const char* path;  // in the fd table's entry
  unsigned char termios[kTermiosBytes];
  int has_termios;
  int packet_mode;
  int locked;
};

SavedTerminal g_terminals[kMaxTerminals];
int g_count;
long g_pgid;  // our process group at checkpoint, as the program knows it

long Ioctl(int fd, unsigned long request, void* arg) {
  return arch_syscall3(__NR_ioctl, fd, (long)request, (long)arg);
}

bool StartsWith(const char* s, const char* prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

bool IsMasterPath(const char* path) {
  const size_t n = strlen(path);
  return n >= 5 && strcmp(path + n - 5, "/ptmx") == 0;
}

// "/dev/pts/<n>" -> n; -1 otherwise.
long PtyNumber(const char* path) {
  if (!StartsWith(path, "/dev/pts/") || path[9] < '0' || path[9] > '9') return -1;
  long n = 0;
  for (const char* c = path + 9; *c; c++) {
    if (*c < '0' || *c > '9') return -1;
    n = n * 10 + (*c - '0');
  }
  return n;
}

bool Claims(const FdEntry& e) { return e.kind == FdKind::kTerminal; }

void Save() {
  g_count = 0;
  g_pgid = RealToVirtual(arch_syscall1(__NR_getpgid, 0));
  for (FdEntry* e : OwnedFds(Claims)) {
    if (g_count == kMaxTerminals) {
      Warn("checkpoint: more than %d terminal descriptors; fd %d is not saved", kMaxTerminals, e->fd);
      continue;
    }
    SavedTerminal* t = &g_terminals[g_count++];
    memset(t, 0, sizeof *t);
    struct img_terminal& r = t->record;
    r.fd = e->fd;
    r.flags = (uint32_t)e->flags;
    r.cloexec = (uint32_t)e->cloexec;
    const long number = PtyNumber(e->path);
    unsigned index = 0;
    if (IsMasterPath(e->path) && Ioctl(e->fd, TIOCGPTN, &index) == 0) {
      r.role = IMG_TTY_MASTER;
      r.index = index;
      Ioctl(e->fd, TIOCGPTLCK, &t->locked);
    } else if (number >= 0) {
      r.role = IMG_TTY_SLAVE;
      r.index = (uint32_t)number;
    } else {
      r.role = IMG_TTY_OTHER;
    }
    Ioctl(e->fd, TIOCGPKT, &t->packet_mode);
    t->has_termios = Ioctl(e->fd, TCGETS, t->termios) == 0;
    struct winsize ws;
    if (Ioctl(e->fd, TIOCGWINSZ, &ws) == 0) {
      r.rows = ws.ws_row;
      r.cols = ws.ws_col;
      r.xpixel = ws.ws_xpixel;
      r.ypixel = ws.ws_ypixel;
    }
    // A terminal answers TIOCGPGRP only to its own session (a master answers for its
    // slave to anyone). TIOCGSID would say the same, but QEMU does not return its value.
    int pgrp = 0;
    if (r.role != IMG_TTY_MASTER && Ioctl(e->fd, TIOCGPGRP, &pgrp) == 0) {
      r.is_ctty = 1;
      r.foreground = (uint64_t)RealToVirtual(pgrp);
    }
    t->path = e->path;
    r.path_len = (uint32_t)strlen(e->path);
    e->saved = 1;
  }
}

int WriteRecords(img::ImageWriter* writer) {
  for (int i = 0; i < g_count; i++) {
    const SavedTerminal& t = g_terminals[i];
    int rc = writer->WriteRecord2(IMG_REC_TERMINAL, &t.record, sizeof t.record, t.path,
                                  t.record.path_len);
    if (rc < 0) return rc;
  }
  return 0;
}

FdEntry* EntryFor(int fd) {
  for (int i = 0; i < FdCount(); i++) {
    if (FdAt(i)->fd == fd) return FdAt(i);
  }
  return nullptr;
}

// Whether dmtcp_restart recreated pseudo-terminal `index` (its master was ours).
bool Recreated(uint32_t index) {
  char list[1024];
  if (!RestartSetting("ptys", list, sizeof list)) return false;
  for (const char* p = list; *p;) {
    char* end;
    const unsigned long n = strtoul(p, &end, 10);
    if (end == p) break;
    if (n == index) return true;
    p = *end == ',' ? end + 1 : end;
  }
  return false;
}

// Puts our process group in the foreground of `fd`, as it was. A background group may
// do so only with SIGTTOU blocked.
void TakeForeground(int fd) {
  const uint64_t ttou = 1ull << (SIGTTOU - 1);
  uint64_t old;
  sys::rt_sigprocmask(SIG_BLOCK, &ttou, &old);
  int pgrp = (int)arch_syscall1(__NR_getpgid, 0);
  long rc = Ioctl(fd, TIOCSPGRP, &pgrp);
  sys::rt_sigprocmask(SIG_SETMASK, &old, nullptr);
  if (rc < 0) Trace("restart: fd %d: cannot take the terminal's foreground (%ld)", fd, rc);
}

void Restore() {
  bool resized = false;
  char value[16];
  const bool restart_in_foreground = RestartSetting("foreground", value, sizeof value) && value[0] == '1';
  for (int i = 0; i < g_count; i++) {
    const SavedTerminal& t = g_terminals[i];
    const struct img_terminal& r = t.record;
    FdEntry* e = EntryFor(r.fd);
    if (e == nullptr) continue;
    if (r.role == IMG_TTY_OTHER) {
      const int flags = (int)(r.flags & ~(O_CREAT | O_EXCL | O_TRUNC)) | O_NOCTTY | O_CLOEXEC;
      long fd = sys::open(t.path, flags);
      if (fd < 0 || MoveFd((int)fd, *e) < 0) {
        if (r.fd > 2) Warn("restart: cannot reopen %s (%ld); fd %d is not restored", t.path, fd, r.fd);
        continue;
      }
    } else if (sys::fcntl(r.fd, F_GETFD, 0) < 0) {
      continue;  // dmtcp_restart could not give it back, and said so
    }
    sys::fcntl(r.fd, F_SETFD, r.cloexec ? FD_CLOEXEC : 0);
    e->restored = 1;
    // Our own pseudo-terminal, or the one dmtcp_restart runs in: the modes we left it in.
    if (t.has_termios) Ioctl(r.fd, TCSETS, (void*)t.termios);
    if (r.role == IMG_TTY_MASTER) {
      int locked = t.locked, packet = t.packet_mode;
      Ioctl(r.fd, TIOCSPTLCK, &locked);
      Ioctl(r.fd, TIOCPKT, &packet);
    }
    if (!r.is_ctty) continue;
    const bool ours = r.role == IMG_TTY_SLAVE && Recreated(r.index);
    if (r.foreground == (uint64_t)g_pgid && (ours || restart_in_foreground)) {
      TakeForeground(r.fd);
    }
    struct winsize ws;
    if (!ours && Ioctl(r.fd, TIOCGWINSZ, &ws) == 0 && (ws.ws_row != r.rows || ws.ws_col != r.cols)) {
      resized = true;
    }
  }
  if (resized) sys::kill(sys::getpid(), SIGWINCH);
}


}  // namespace

RUNTIME_PLUGIN(terminals, .claims = Claims, .save = Save, .write_records = WriteRecords, .restore = Restore)

}  // namespace rt
