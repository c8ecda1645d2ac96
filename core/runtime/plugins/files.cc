// Plugin: files, directories and devices. At checkpoint each such descriptor becomes a
// FILE record: path, flags, offset, device and inode, and which lower descriptor of
// this process shares its open file description (kcmp). dmtcp_restart reopens each
// description once, at its offset, and hands it to every descriptor that shared it, in
// this process and in the others (core/restart/descriptor_broker.cc). After the restart
// only the close-on-exec flags remain to set here.
//
// Policy for a file that changed since the checkpoint: it is reopened as it is now
// (a shorter file keeps the saved offset, as after lseek past the end). A file gone at
// restart is not restored and a warning names it (unless FILE_STATE lets dmtcp_restart
// recreate it, below); on 0-2 the descriptor dmtcp_restart
// was given stays. A file deleted before the checkpoint but still open (a "ghost", as
// MPI libraries leave in /dev/shm) is saved whole in a GHOST record, up to kGhostMax
// bytes, unless a shared mapping of it holds its contents already; dmtcp_restart
// makes it again, unlinked. Each regular file's first descriptor also gets a
// FILE_STATE record (mode and size, and with --checkpoint-open-files its contents, up
// to the same limit): dmtcp_restart recreates a file that is gone if it was open for
// writing, and puts the saved contents back (format.h says when). Terminals are
// terminals.cc's.
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "core/common/fmt.h"
#include "core/common/maps_line.h"
#include "core/common/raw_syscalls.h"
#include "core/runtime/config.h"
#include "core/runtime/fd_table.h"
#include "core/runtime/hooks.h"
#include "core/runtime/log.h"

namespace rt {
namespace {

constexpr int kMaxFiles = 1024;
constexpr uint64_t kGhostMax = 16ull << 20;
constexpr size_t kMapsBytes = 1 << 20;

struct SavedFile {
  struct img_file record;
  const char* path;     // in the fd table's entry
  bool ghost;           // deleted: its contents go into the image
  uint64_t ghost_size;
  bool has_state;       // a regular file's first descriptor here: FILE_STATE follows
  struct img_file_state state;
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

bool Claims(const FdEntry& e) { return KindOf(e.kind) != 0; }

bool Deleted(const char* path) {
  static const char kSuffix[] = " (deleted)";
  const size_t n = strlen(path), k = sizeof kSuffix - 1;
  return n > k && memcmp(path + n - k, kSuffix, k) == 0;
}

// Whether this process maps the file shared: its contents come back with that memory.
bool MappedShared(uint64_t dev, uint64_t inode) {
  char* maps = static_cast<char*>(sys::mmap(nullptr, kMapsBytes, PROT_READ | PROT_WRITE,
                                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (sys::failed(maps)) return false;
  bool found = false;
  long fd = sys::open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  size_t len = 0;
  for (long n; fd >= 0 && len < kMapsBytes && (n = sys::read((int)fd, maps + len, kMapsBytes - len)) > 0;) {
    len += (size_t)n;
  }
  if (fd >= 0) sys::close((int)fd);
  for (const char* line = maps; line < maps + len && !found;) {
    const char* end = line;
    while (end < maps + len && *end != '\n') end++;
    struct maps_line m;
    found = maps_parse_line(line, end, &m) == 0 && m.p == 's' && m.inode == inode &&
            (((uint64_t)m.dev_major << 32) | m.dev_minor) == dev;
    line = end + 1;
  }
  sys::munmap(maps, kMapsBytes);
  return found;
}

bool SameDescription(int a, int b) {
  const long pid = sys::getpid();
  return arch_syscall5(__NR_kcmp, pid, pid, KCMP_FILE, a, b) == 0;
}

// Whether g_files[k] is the first saved descriptor of its file in this process.
bool FirstOfItsFile(int k) {
  for (int j = 0; j < k; j++) {
    if (g_files[j].record.dev == g_files[k].record.dev && g_files[j].record.inode == g_files[k].record.inode) {
      return false;
    }
  }
  return true;
}

void NoteState(SavedFile* f, const struct statx& st) {
  f->has_state = true;
  f->state.fd = f->record.fd;
  f->state.mode = st.stx_mode & 07777;
  f->state.size = st.stx_size;
  if (!g_config.ckpt_open_files) return;
  if (st.stx_size > kGhostMax) {
    Warn("fd %d (%s): %llu bytes, more than the %llu of an open file's contents kept in the image",
         f->record.fd, f->path, (unsigned long long)st.stx_size, (unsigned long long)kGhostMax);
    return;
  }
  f->state.flags = IMG_FILE_CONTENTS | (g_config.allow_overwrite ? IMG_FILE_OVERWRITE : 0);
}

void Save() {
  g_count = 0;
  for (FdEntry* e : OwnedFds(Claims)) {
    if (g_count == kMaxFiles) break;
    const uint32_t kind = KindOf(e->kind);
    e->saved = 1;
    SavedFile* f = &g_files[g_count++];
    memset(f, 0, sizeof *f);
    struct img_file& r = f->record;
    r.fd = e->fd;
    r.flags = (uint32_t)e->flags;
    r.cloexec = (uint32_t)e->cloexec;
    r.kind = kind;
    r.pos = e->pos;
    struct statx st;
    const bool known = arch_syscall5(__NR_statx, e->fd, (long)"", AT_EMPTY_PATH,
                                     STATX_INO | STATX_SIZE | STATX_MODE, (long)&st) == 0;
    if (known) {
      r.dev = ((uint64_t)st.stx_dev_major << 32) | st.stx_dev_minor;
      r.inode = st.stx_ino;
      if (kind == IMG_FILE_REGULAR && Deleted(e->path)) {
        if (st.stx_size > kGhostMax) {
          Warn("fd %d (%s): %llu bytes, more than a deleted file's %llu kept in the image",
               e->fd, e->path, (unsigned long long)st.stx_size, (unsigned long long)kGhostMax);
        } else if (!MappedShared(r.dev, r.inode)) {
          f->ghost = true;
          f->ghost_size = st.stx_size;
        }
      }
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
    if (known && kind == IMG_FILE_REGULAR && !Deleted(e->path) && FirstOfItsFile(g_count - 1)) {
      NoteState(f, st);
    }
  }
}

// The file's first `size` bytes through a private mapping of its descriptor (of one
// of our own when it was opened write-only); nullptr when they cannot be read.
void* MapContents(const SavedFile& f, uint64_t size) {
  void* contents = sys::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, f.record.fd, 0);
  if (sys::failed(contents)) {
    char link[32] = "/proc/self/fd/";
    fmt_format(link + 14, sizeof link - 14, "%d", f.record.fd);
    long fd = sys::open(link, O_RDONLY | O_CLOEXEC);
    contents = fd < 0 ? (void*)-1 : sys::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, (int)fd, 0);
    if (fd >= 0) sys::close((int)fd);
  }
  return sys::failed(contents) ? nullptr : contents;
}

// The deleted file's contents (none when they cannot be read: a warning says so).
int WriteGhost(img::ImageWriter* writer, const SavedFile& f) {
  struct img_ghost g;
  memset(&g, 0, sizeof g);
  g.fd = f.record.fd;
  g.size = f.ghost_size;
  if (g.size == 0) return writer->WriteRecord(IMG_REC_GHOST, &g, sizeof g);
  void* contents = MapContents(f, g.size);
  if (contents == nullptr) {
    Warn("fd %d (%s): cannot read the deleted file's contents", f.record.fd, f.path);
    return 0;
  }
  int rc = writer->WriteRecord2(IMG_REC_GHOST, &g, sizeof g, contents, g.size);
  sys::munmap(contents, g.size);
  return rc;
}

// Mode and size, and the contents when asked for: unreadable ones are left out (with
// a warning), the mode and size still go.
int WriteState(img::ImageWriter* writer, const SavedFile& f) {
  struct img_file_state st = f.state;
  void* contents = nullptr;
  if ((st.flags & IMG_FILE_CONTENTS) && st.size > 0) {
    contents = MapContents(f, st.size);
    if (contents == nullptr) {
      Warn("fd %d (%s): cannot read the file's contents; they are not in the image", f.record.fd, f.path);
      st.flags = 0;
    }
  }
  if (contents == nullptr) return writer->WriteRecord(IMG_REC_FILE_STATE, &st, sizeof st);
  int rc = writer->WriteRecord2(IMG_REC_FILE_STATE, &st, sizeof st, contents, st.size);
  sys::munmap(contents, st.size);
  return rc;
}

int WriteRecords(img::ImageWriter* writer) {
  for (int i = 0; i < g_count; i++) {
    const SavedFile& f = g_files[i];
    int rc = writer->WriteRecord2(IMG_REC_FILE, &f.record, sizeof f.record, f.path, f.record.path_len);
    if (rc == 0 && f.ghost) rc = WriteGhost(writer, f);
    if (rc == 0 && f.has_state) rc = WriteState(writer, f);
    if (rc < 0) return rc;
  }
  return 0;
}

}  // namespace

RUNTIME_PLUGIN(files, .claims = Claims, .save = Save, .write_records = WriteRecords)

}  // namespace rt
