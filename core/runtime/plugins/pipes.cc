// Plugin: pipes, within a process or between processes of the computation.
//
// At checkpoint every process writes one PIPE record per pipe descriptor it holds;
// holders of a read end add the bytes in flight, copied with tee(2) so the running
// program is not disturbed (all processes are stopped by then, so every copy is the
// same). dmtcp_restart reads these records from all images, creates each pipe once
// with its old capacity, puts the bytes back, and gives every process its ends at
// their old descriptor numbers before the process is restored. Here, after the
// restart, only the per-descriptor flags remain to be set.
//
// A pipe whose other end was outside the computation (a shell reading our output) is
// recreated too, but nothing is at its other end; on 0-2 it is not recreated and the
// descriptor dmtcp_restart was given stays.
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "core/common/raw_syscalls.h"
#include "core/runtime/fd_table.h"
#include "core/runtime/growing_buffer.h"
#include "core/runtime/hooks.h"
#include "core/runtime/log.h"

namespace rt {
namespace {

constexpr int kMaxPipeFds = 512;

struct SavedPipeFd {
  struct img_pipe record;
  uint64_t data_offset;  // in g_data; shared by the read ends of one pipe
  const char* path;      // a FIFO's, in the fd table
};

uint64_t Inode(int fd) {
  struct statx st;
  long rc = arch_syscall5(__NR_statx, fd, (long)"", AT_EMPTY_PATH, STATX_INO, (long)&st);
  return rc == 0 ? st.stx_ino : 0;
}

SavedPipeFd g_fds[kMaxPipeFds];
int g_count;
GrowingBuffer g_data;  // bytes in flight; part of the image, like all our state

// Copies what is in the pipe (read end `fd`) into g_data without consuming it.
// Returns the byte count; *offset receives where it starts.
uint32_t CopyInFlight(int fd, int capacity, uint64_t* offset) {
  int probe[2];
  if (arch_syscall2(__NR_pipe2, (long)probe, O_CLOEXEC | O_NONBLOCK) < 0) return 0;
  if (capacity > 0) sys::fcntl(probe[1], F_SETPIPE_SZ, capacity);
  long copied = arch_syscall4(__NR_tee, fd, probe[1], capacity > 0 ? capacity : 65536,
                              SPLICE_F_NONBLOCK);
  uint32_t got = 0;
  if (copied > 0) {
    char* at = g_data.Reserve((size_t)copied);
    long n = at ? sys::read(probe[0], at, (size_t)copied) : -ENOMEM;
    if (n > 0) {
      got = (uint32_t)n;
      *offset = (uint64_t)(at - g_data.data);
    }
  }
  sys::close(probe[0]);
  sys::close(probe[1]);
  return got;
}

const SavedPipeFd* ReadEndSaved(uint64_t inode) {
  for (int i = 0; i < g_count; i++) {
    if (g_fds[i].record.inode == inode && (g_fds[i].record.flags & O_ACCMODE) != O_WRONLY) {
      return &g_fds[i];
    }
  }
  return nullptr;
}

bool Claims(const FdEntry& e) { return e.kind == FdKind::kPipe || e.kind == FdKind::kFifo; }

void Save() {
  g_count = 0;
  g_data.used = 0;
  for (FdEntry* e : OwnedFds(Claims)) {
    if (g_count == kMaxPipeFds) break;
    e->saved = 1;
    SavedPipeFd* s = &g_fds[g_count];
    memset(s, 0, sizeof *s);
    s->record.inode = e->kind == FdKind::kFifo ? Inode(e->fd) : e->inode;
    s->path = e->kind == FdKind::kFifo ? e->path : nullptr;
    s->record.path_len = s->path ? (uint32_t)strlen(s->path) : 0;
    s->record.fd = e->fd;
    s->record.flags = (uint32_t)e->flags;
    s->record.cloexec = (uint32_t)e->cloexec;
    long capacity = sys::fcntl(e->fd, F_GETPIPE_SZ, 0);
    s->record.capacity = capacity > 0 ? (uint32_t)capacity : 0;
    if ((e->flags & O_ACCMODE) != O_WRONLY) {  // a FIFO may be open O_RDWR
      if (const SavedPipeFd* same = ReadEndSaved(s->record.inode)) {
        s->record.bytes = same->record.bytes;
        s->data_offset = same->data_offset;
      } else {
        s->record.bytes = CopyInFlight(e->fd, (int)s->record.capacity, &s->data_offset);
      }
    }
    g_count++;
  }
}

int WriteRecords(img::ImageWriter* writer) {
  static char payload[(1u << 20) + IMG_PATH_MAX];  // path, then the bytes in flight
  for (int i = 0; i < g_count; i++) {
    const SavedPipeFd& s = g_fds[i];
    if ((size_t)s.record.path_len + s.record.bytes > sizeof payload) return -E2BIG;
    memcpy(payload, s.path ? s.path : "", s.record.path_len);
    memcpy(payload + s.record.path_len, g_data.data + (s.record.bytes ? s.data_offset : 0), s.record.bytes);
    int rc = writer->WriteRecord2(IMG_REC_PIPE, &s.record, sizeof s.record, payload,
                                  s.record.path_len + s.record.bytes);
    if (rc < 0) return rc;
  }
  return 0;
}

}  // namespace

RUNTIME_PLUGIN(pipes, .claims = Claims, .save = Save, .write_records = WriteRecords)

}  // namespace rt
