// Plugin: files, directories and devices. At checkpoint each such descriptor becomes a
// FILE record: path, flags, offset, device and inode, and which lower descriptor of
// this process shares its open file description (kcmp). dmtcp_restart reopens each
// description once, at its offset, and hands it to every descriptor that shared it, in
// this process and in the others (core/tools/descriptor_broker.cc). After the restart
// only the close-on-exec flags remain to set here.
//
// Policy for a file that changed since the checkpoint: it is reopened as it is now
// (a shorter file keeps the saved offset, as after lseek past the end). A file deleted
// before the checkpoint, or gone at restart, is not restored and a warning names it;
// on 0-2 the descriptor dmtcp_restart was given stays. Terminals are terminals.cc's.
#include <errno.h>
#include <linux/kcmp.h>
#include <string.h>
#include <sys/stat.h>

#include "core/common/raw_syscalls.h"
#include "core/runtime/fd_table.h"
#include "core/runtime/hooks.h"
#include "core/runtime/log.h"

namespace rt {
namespace {

constexpr int kMaxFiles = 1024;

struct SavedFile {
  struct img_file record;
  const char* path;  // in the fd table's entry
};

SavedFile g_files[kMaxFiles];
int g_count;

uint32_t KindOf(FdKind kind) {
  switch (kind) {
    case FdKind::kFile: return IMG_FILE_REGULAR;
    case FdKind::kDirectory: return IMG_FILE_DIRECTORY;
    case FdKind::kDevice: return IMG_FILE_DEVICE;
    default: return 0;
  }
}

bool SameDescription(int a, int b) {
  const long pid = sys::getpid();
  return arch_syscall5(__NR_kcmp, pid, pid, KCMP_FILE, a, b) == 0;
}

void Save() {
  g_count = 0;
  for (int i = 0; i < FdCount() && g_count < kMaxFiles; i++) {
    FdEntry* e = FdAt(i);
    const uint32_t kind = KindOf(e->kind);
    if (kind == 0) continue;
    e->claimed = 1;
    SavedFile* f = &g_files[g_count++];
    memset(f, 0, sizeof *f);
    struct img_file& r = f->record;
    r.fd = e->fd;
    r.flags = (uint32_t)e->flags;
    r.cloexec = (uint32_t)e->cloexec;
    r.kind = kind;
    r.pos = e->pos;
    struct statx st;
    if (arch_syscall5(__NR_statx, e->fd, (long)"", AT_EMPTY_PATH, STATX_INO, (long)&st) == 0) {
      r.dev = ((uint64_t)st.stx_dev_major << 32) | st.stx_dev_minor;
      r.inode = st.stx_ino;
    }
    r.same_as = -1;
    for (int j = 0; j < g_count - 1; j++) {
      const struct img_file& o = g_files[j].record;
      if (o.dev == r.dev && o.inode == r.inode && SameDescription(o.fd, r.fd)) {
        r.same_as = o.same_as >= 0 ? o.same_as : o.fd;
        break;
      }
    }
    f->path = e->path;
    r.path_len = (uint32_t)strlen(e->path);
  }
}

int WriteRecords(img::ImageWriter* writer) {
  for (int i = 0; i < g_count; i++) {
    const SavedFile& f = g_files[i];
    int rc = writer->WriteRecord2(IMG_REC_FILE, &f.record, sizeof f.record, f.path, f.record.path_len);
    if (rc < 0) return rc;
  }
  return 0;
}

// dmtcp_restart reopened what it could; a descriptor missing now was warned about.
void Restore() {
  for (int i = 0; i < FdCount(); i++) {
    FdEntry* e = FdAt(i);
    if (KindOf(e->kind) == 0 || sys::fcntl(e->fd, F_GETFD, 0) < 0) continue;
    sys::fcntl(e->fd, F_SETFD, e->cloexec ? FD_CLOEXEC : 0);
    e->restored = 1;
  }
}

void OnEvent(Event event) {
  if (event == Event::kPreCheckpoint) {
    Save();
  } else if (event == Event::kRestart) {
    Restore();
  }
}

}  // namespace

RUNTIME_PLUGIN(files, OnEvent, WriteRecords)

}  // namespace rt
