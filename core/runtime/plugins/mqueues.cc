// Plugin: POSIX message queues (mq_open). A queue lives in the kernel, not in any
// process, so at checkpoint each process records, for every queue descriptor, the
// queue's name, mode, limits and the messages it holds; dmtcp_restart makes each queue
// again once (core/restart/descriptor_broker.cc) and hands every holder a descriptor with
// its own flags. After the restart only the close-on-exec flags remain to set here.
//
// The messages are read by taking them out and putting them back in the order they
// came, which leaves the queue as it was; the processes sharing a queue do this one at
// a time (flock on the queue). Not kept: mq_notify registrations.
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "core/common/fmt.h"
#include "core/common/raw_syscalls.h"
#include "core/runtime/fd_table.h"
#include "core/runtime/growing_buffer.h"
#include "core/runtime/hooks.h"
#include "core/runtime/log.h"

namespace rt {
namespace {

constexpr int kMaxQueues = 64;

struct KernelMqAttr {  // the kernel's struct mq_attr
  long flags, maxmsg, msgsize, curmsgs, reserved[4];
};

struct SavedQueue {
  struct img_mqueue record;
  const char* name;       // in the fd table's entry
  size_t payload_offset;  // the messages, in g_data
};

SavedQueue g_queues[kMaxQueues];
int g_count;
GrowingBuffer g_data;  // the messages

// Takes every message out of the queue behind `fd` (a descriptor of our own, read and
// write, non-blocking) into g_data, then puts them back in the same order.
void CopyMessages(int fd, SavedQueue* q) {
  q->payload_offset = g_data.used;
  const long size = q->record.msgsize;
  for (;;) {
    char* at = g_data.Reserve(8 + (size_t)size);
    if (at == nullptr) break;
    unsigned prio = 0;
    long n = arch_syscall5(__NR_mq_timedreceive, fd, (long)(at + 8), size, (long)&prio, 0);
    if (n < 0) {
      g_data.used -= 8 + (size_t)size;
      break;
    }
    const uint32_t header[2] = {prio, (uint32_t)n};
    memcpy(at, header, 8);
    g_data.used -= (size_t)(size - n);
    q->record.count++;
  }
  q->record.bytes = g_data.used - q->payload_offset;
  for (size_t off = q->payload_offset; off < g_data.used;) {
    uint32_t header[2];
    memcpy(header, g_data.data + off, 8);
    long rc = arch_syscall5(__NR_mq_timedsend, fd, (long)(g_data.data + off + 8), header[1], header[0], 0);
    if (rc < 0) Warn("checkpoint: a message could not be put back into %s (%ld)", q->name, rc);
    off += 8 + header[1];
  }
}

void SaveQueue(const FdEntry& e) {
  if (g_count >= kMaxQueues) {
    Warn("checkpoint: more than %d message queue descriptors; fd %d is not saved", kMaxQueues, e.fd);
    return;
  }
  SavedQueue* q = &g_queues[g_count++];
  memset(q, 0, sizeof *q);
  struct img_mqueue& r = q->record;
  r.fd = e.fd;
  r.flags = (uint32_t)(e.flags & (O_ACCMODE | O_NONBLOCK));
  r.cloexec = (uint32_t)e.cloexec;
  struct statx st;
  if (arch_syscall5(__NR_statx, e.fd, (long)"", AT_EMPTY_PATH, STATX_INO | STATX_MODE, (long)&st) == 0) {
    r.inode = st.stx_ino;
    r.mode = st.stx_mode & 07777;
  }
  KernelMqAttr attr;
  memset(&attr, 0, sizeof attr);
  arch_syscall3(__NR_mq_getsetattr, e.fd, 0, (long)&attr);
  r.maxmsg = attr.maxmsg;
  r.msgsize = attr.msgsize;
  q->name = e.path;
  r.name_len = (uint32_t)strlen(e.path);
  q->payload_offset = g_data.used;
  for (int i = 0; i < g_count - 1; i++) {
    if (g_queues[i].record.inode == r.inode) return;  // its messages are saved once
  }
  char link[32] = "/proc/self/fd/";
  fmt_format(link + 14, sizeof link - 14, "%d", e.fd);
  long fd = sys::open(link, O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    Warn("checkpoint: cannot read the messages of %s (fd %d): %ld", e.path, e.fd, fd);
    return;
  }
  arch_syscall2(__NR_flock, fd, LOCK_EX);  // others sharing it read it after us
  CopyMessages((int)fd, q);
  arch_syscall2(__NR_flock, fd, LOCK_UN);
  sys::close((int)fd);
}

bool Claims(const FdEntry& e) { return e.kind == FdKind::kMqueue; }

void Save() {
  g_count = 0;
  g_data.used = 0;
  for (FdEntry* e : OwnedFds(Claims)) {
    SaveQueue(*e);
    e->saved = 1;
  }
}

int WriteRecords(img::ImageWriter* writer) {
  for (int i = 0; i < g_count; i++) {
    const SavedQueue& q = g_queues[i];
    // name, then messages: one payload after the record
    const size_t len = q.record.name_len + q.record.bytes;
    char* payload = g_data.Reserve(len);
    if (payload == nullptr) return -ENOMEM;
    memcpy(payload, q.name, q.record.name_len);
    memcpy(payload + q.record.name_len, g_data.data + q.payload_offset, q.record.bytes);
    int rc = writer->WriteRecord2(IMG_REC_MQUEUE, &q.record, sizeof q.record, payload, len);
    g_data.used -= len;
    if (rc < 0) return rc;
  }
  return 0;
}

}  // namespace

RUNTIME_PLUGIN(mqueues, .claims = Claims, .save = Save, .write_records = WriteRecords)

}  // namespace rt
