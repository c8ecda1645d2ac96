// Plugin: open files. Regular files, directories and character devices are reopened
// by path after a restart, at their offset and with their flags. A terminal on 0-2
// becomes the terminal dmtcp_restart runs in.
//
// Policy for a file that changed since the checkpoint: it is reopened as it is now
// (a shorter file keeps the saved offset, as after lseek past the end). A file
// deleted before the checkpoint, or gone at restart, is not restored and a warning
// names it; on 0-2 the descriptor dmtcp_restart was given stays in its place.
#include <errno.h>
#include <string.h>

#include "core/common/raw_syscalls.h"
#include "core/runtime/fd_table.h"
#include "core/runtime/hooks.h"
#include "core/runtime/log.h"

namespace rt {
namespace {

bool EndsWith(const char* s, const char* suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

void Restore(FdEntry* e) {
  switch (e->kind) {
    case FdKind::kTerminal:
      // Ours on 0-2 is dmtcp_restart's terminal; elsewhere reopen the device.
      if (e->fd <= 2) {
        e->restored = 1;
        return;
      }
      break;
    case FdKind::kFile:
    case FdKind::kDirectory:
    case FdKind::kDevice:
      break;
    default:
      return;  // not ours
  }
  if (EndsWith(e->path, " (deleted)")) {
    Warn("restart: fd %d is not restored: %s was deleted before the checkpoint", e->fd, e->path);
    e->restored = e->fd <= 2;  // keep dmtcp_restart's own stdio there
    return;
  }
  int flags = e->flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY);
  long fd = sys::open(e->path, flags | O_CLOEXEC);
  if (fd < 0) {
    Warn("restart: fd %d is not restored: cannot open %s (errno %ld)", e->fd, e->path, -fd);
    e->restored = e->fd <= 2;
    return;
  }
  if (MoveFd((int)fd, *e) < 0) return;
  if (e->kind != FdKind::kDevice && e->kind != FdKind::kTerminal && e->pos > 0) {
    sys::lseek(e->fd, (long)e->pos, SEEK_SET);
  }
  e->restored = 1;
}

void OnEvent(Event event) {
  if (event == Event::kPreCheckpoint) {
    for (int i = 0; i < FdCount(); i++) {
      FdEntry* e = FdAt(i);
      e->claimed |= e->kind == FdKind::kFile || e->kind == FdKind::kDirectory ||
                    e->kind == FdKind::kDevice || e->kind == FdKind::kTerminal;
    }
  } else if (event == Event::kRestart) {
    for (int i = 0; i < FdCount(); i++) Restore(FdAt(i));
  }
}

}  // namespace

RUNTIME_PLUGIN(files, OnEvent, nullptr)

}  // namespace rt
