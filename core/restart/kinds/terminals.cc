// terminals.cc - pseudo-terminals of a restored computation (resource_kind.h).
//
// A pseudo-terminal whose master the computation held (forkpty, script, a terminal
// emulator) is created anew, once, with its old window size; every process gets its
// master and slave descriptors back at their old numbers, and the session leader that
// had the slave as controlling terminal gets it again. A terminal whose master was
// outside the computation (the user's) is the one dmtcp_restart runs in: descriptors
// above 2 get that terminal; 0-2 are dmtcp_restart's anyway. The modes (termios) are
// put back by each process's runtime.

#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/restart/resource_kind.h"

namespace dmtcp {
namespace {

struct Pty {
  int master = -1;
  std::string slave_path;
  absl::flat_hash_map<int, int> slaves;  // open flags -> a slave description with them
};

absl::StatusOr<Pty> NewPty(const struct img_terminal& master) {
  Pty pty;
  pty.master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  char name[128];
  if (pty.master < 0 || grantpt(pty.master) != 0 || unlockpt(pty.master) != 0 ||
      ptsname_r(pty.master, name, sizeof name) != 0) {
    const int err = errno;
    if (pty.master >= 0) close(pty.master);
    return absl::InternalError(absl::StrFormat("cannot create a pseudo-terminal: %s", strerror(err)));
  }
  pty.slave_path = name;
  struct winsize ws = {master.rows, master.cols, master.xpixel, master.ypixel};
  ioctl(pty.master, TIOCSWINSZ, &ws);
  return pty;
}

// A slave description with `flags` (descriptors with other flags get their own).
int SlaveWithFlags(Pty& pty, uint32_t saved_flags) {
  const int flags = (int)(saved_flags & (O_ACCMODE | O_NONBLOCK | O_APPEND));
  auto it = pty.slaves.find(flags);
  if (it != pty.slaves.end()) return it->second;
  const int fd = open(pty.slave_path.c_str(), flags | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) Warn(absl::StrFormat("cannot open %s: %s", pty.slave_path, strerror(errno)));
  pty.slaves[flags] = fd;
  return fd;
}

// dmtcp_restart's own terminal, for descriptors above 2 that had the user's.
int OwnTerminal() {
  static int fd = -2;
  if (fd != -2) return fd;
  fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  for (int std = 0; fd < 0 && std <= 2; std++) {
    if (isatty(std)) fd = fcntl(std, F_DUPFD_CLOEXEC, 3);
  }
  return fd;
}

bool IsSessionLeader(const ProcessToRestore& p) {
  return p.image->has_family && p.image->family.sid == p.image->family.pid;
}

// The numbers of the pseudo-terminals whose master is in `images`, as "3,7": the ones
// ShareTerminals recreates.
std::string RecreatedPtys(const std::vector<img::ImageIndex>& images) {
  absl::btree_set<uint32_t> numbers;
  for (const img::ImageIndex& image : images) {
    for (const img::TerminalInfo& t : image.terminals) {
      if (t.terminal.role == IMG_TTY_MASTER) numbers.insert(t.terminal.index);
    }
  }
  return absl::StrJoin(numbers, ",");
}

// Hands each process its terminal descriptors, sets its `ctty` / `keep_session`, and
// tells it which pseudo-terminals are new ("ptys=" in its restart settings).
absl::Status ShareTerminals(Computation& c) {
  std::vector<ProcessToRestore>& procs = c.procs;
  const std::string recreated = absl::StrFormat("ptys=%s\n", RecreatedPtys(c.images));
  for (ProcessToRestore& p : procs) p.info += recreated;
  absl::flat_hash_map<uint32_t, Pty> ptys;  // old number -> the new pseudo-terminal
  for (const ProcessToRestore& p : procs) {
    for (const img::TerminalInfo& t : p.image->terminals) {
      if (t.terminal.role != IMG_TTY_MASTER || ptys.contains(t.terminal.index)) continue;
      absl::StatusOr<Pty> pty = NewPty(t.terminal);
      if (!pty.ok()) return pty.status();
      ptys[t.terminal.index] = *std::move(pty);
    }
  }
  for (ProcessToRestore& p : procs) {
    for (const img::TerminalInfo& t : p.image->terminals) {
      const struct img_terminal& r = t.terminal;
      if (r.role == IMG_TTY_OTHER) continue;  // reopened by path in the process
      auto it = ptys.find(r.index);
      if (r.role == IMG_TTY_MASTER) {
        p.give.emplace_back(it->second.master, r.fd);
        continue;
      }
      if (it != ptys.end()) {  // a slave of a pseudo-terminal we recreated
        const int fd = SlaveWithFlags(it->second, r.flags);
        if (fd < 0) continue;
        p.give.emplace_back(fd, r.fd);
        if (r.is_ctty && IsSessionLeader(p)) p.ctty = fd;
        continue;
      }
      // The user's terminal: the session it belonged to is not ours to recreate.
      if (r.is_ctty && IsSessionLeader(p)) p.keep_session = true;
      if (r.fd <= 2) continue;
      const int fd = OwnTerminal();
      if (fd < 0) {
        Warn(absl::StrFormat("fd %d of %s was the terminal %s, and dmtcp_restart has no terminal; "
                             "it is not restored", r.fd, p.image->path, t.path));
        continue;
      }
      p.give.emplace_back(fd, r.fd);
    }
  }
  return absl::OkStatus();
}

}  // namespace

extern const ResourceKind kTerminals = {"terminals", ShareTerminals};

}  // namespace dmtcp
