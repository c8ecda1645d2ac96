// Plugin: pipes whose both ends this process holds. At checkpoint the bytes in flight
// are copied with tee(2), which leaves them in the pipe: the running program is not
// disturbed. After a restart a new pipe of the same capacity takes every old
// descriptor number, read and write ends alike, and the saved bytes are put back.
// A pipe with an end in another process is handled by the process-tree support, not
// here: it is reported as not restored.
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "core/common/raw_syscalls.h"
#include "core/runtime/fd_table.h"
#include "core/runtime/hooks.h"
#include "core/runtime/log.h"

namespace rt {
namespace {

constexpr int kMaxPipes = 256;

struct SavedPipe {
  unsigned long long inode;
  int capacity;
  int bytes;
  char* data;  // in g_data
};

SavedPipe g_pipes[kMaxPipes];
int g_pipe_count;
char* g_data;        // mmap'd, grows by remapping; part of the image
size_t g_data_size, g_data_used;

bool HasEnd(unsigned long long inode, int accmode) {
  for (int i = 0; i < FdCount(); i++) {
    const FdEntry* e = FdAt(i);
    if (e->kind == FdKind::kPipe && e->inode == inode && (e->flags & O_ACCMODE) == accmode) return true;
  }
  return false;
}

SavedPipe* Find(unsigned long long inode) {
  for (int i = 0; i < g_pipe_count; i++) {
    if (g_pipes[i].inode == inode) return &g_pipes[i];
  }
  return nullptr;
}

char* Reserve(size_t n) {
  if (g_data_used + n > g_data_size) {
    size_t size = g_data_size ? g_data_size : (1u << 20);
    while (size < g_data_used + n) size *= 2;
    void* p = sys::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (sys::failed(p)) return nullptr;
    if (g_data) {
      memcpy(p, g_data, g_data_used);
      sys::munmap(g_data, g_data_size);
    }
    g_data = static_cast<char*>(p);
    g_data_size = size;
  }
  char* at = g_data + g_data_used;
  g_data_used += n;
  return at;
}

// Copies what is in the pipe (read end `fd`) without consuming it.
void SavePipe(const FdEntry& read_end) {
  SavedPipe* p = &g_pipes[g_pipe_count];
  memset(p, 0, sizeof *p);
  p->inode = read_end.inode;
  p->capacity = (int)sys::fcntl(read_end.fd, F_GETPIPE_SZ, 0);
  int probe[2];
  if (arch_syscall2(__NR_pipe2, (long)probe, O_CLOEXEC | O_NONBLOCK) < 0) return;
  if (p->capacity > 0) sys::fcntl(probe[1], F_SETPIPE_SZ, p->capacity);
  long copied = arch_syscall4(__NR_tee, read_end.fd, probe[1], p->capacity > 0 ? p->capacity : 65536,
                              SPLICE_F_NONBLOCK);
  if (copied > 0) {
    p->data = Reserve((size_t)copied);
    long got = p->data ? sys::read(probe[0], p->data, (size_t)copied) : -ENOMEM;
    p->bytes = got > 0 ? (int)got : 0;
  }
  sys::close(probe[0]);
  sys::close(probe[1]);
  g_pipe_count++;
}

void Save() {
  g_pipe_count = 0;
  g_data_used = 0;
  for (int i = 0; i < FdCount() && g_pipe_count < kMaxPipes; i++) {
    const FdEntry* e = FdAt(i);
    if (e->kind != FdKind::kPipe || (e->flags & O_ACCMODE) != O_RDONLY || Find(e->inode)) continue;
    if (!HasEnd(e->inode, O_WRONLY)) continue;  // the other end is elsewhere
    SavePipe(*e);
  }
}

void Restore() {
  for (int k = 0; k < g_pipe_count; k++) {
    const SavedPipe& p = g_pipes[k];
    int fds[2];
    if (arch_syscall2(__NR_pipe2, (long)fds, O_CLOEXEC) < 0) continue;
    if (p.capacity > 0) sys::fcntl(fds[1], F_SETPIPE_SZ, p.capacity);
    if (p.bytes > 0 && sys::write(fds[1], p.data, (size_t)p.bytes) != p.bytes) {
      Warn("restart: could not put back %d bytes into a pipe", p.bytes);
    }
    // Every old descriptor of this pipe gets a duplicate of the matching new end.
    for (int i = 0; i < FdCount(); i++) {
      FdEntry* e = FdAt(i);
      if (e->kind != FdKind::kPipe || e->inode != p.inode) continue;
      int end = (e->flags & O_ACCMODE) == O_RDONLY ? fds[0] : fds[1];
      long copy = sys::fcntl(end, F_DUPFD_CLOEXEC, 0);
      if (copy < 0 || MoveFd((int)copy, *e) < 0) continue;
      sys::fcntl(e->fd, F_SETFL, e->flags & (O_NONBLOCK | O_APPEND | O_ASYNC | O_DIRECT));
      e->restored = 1;
    }
    // The new pipe's own descriptors may be numbers an old one now occupies.
    for (int end : fds) {
      bool is_target = false;
      for (int i = 0; i < FdCount(); i++) {
        const FdEntry* e = FdAt(i);
        is_target |= e->kind == FdKind::kPipe && e->inode == p.inode && e->fd == end;
      }
      if (!is_target) sys::close(end);
    }
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

RUNTIME_PLUGIN(pipes, OnEvent)

}  // namespace rt
