// mqueues.cc - POSIX message queues: each made again once with its messages, and every
// descriptor of it reopened with its own flags.
// One kind of resource_kind.h.
#include <fcntl.h>
#include <mqueue.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "core/restart/resource_kind.h"

namespace dmtcp {
namespace {

// Makes the queue of `q` again, with the messages of `q`: under its name (replacing
// the one the killed processes left, which holds what came after the checkpoint), or
// unnamed if it had been unlinked. Returns a read-write descriptor, or -1.
int MakeQueue(const img::MqueueInfo& q) {
  const bool deleted = EndsWith(q.name, " (deleted)");
  const std::string name =
      deleted ? absl::StrFormat("/dmtcp-restart-%d-%d", getpid(), q.mqueue.inode) : q.name;
  mq_unlink(name.c_str());
  struct mq_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.mq_maxmsg = q.mqueue.maxmsg;
  attr.mq_msgsize = q.mqueue.msgsize;
  const mqd_t fd = mq_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NONBLOCK | O_CLOEXEC,
                           static_cast<mode_t>(q.mqueue.mode), &attr);
  if (fd < 0) {
    Warn(absl::StrFormat("cannot make the message queue %s again (%s); its descriptors are not "
                         "restored", q.name, strerror(errno)));
    return -1;
  }
  if (deleted) mq_unlink(name.c_str());
  for (size_t off = 0; off + 8 <= q.messages.size();) {
    uint32_t header[2];
    memcpy(header, q.messages.data() + off, 8);
    if (off + 8 + header[1] > q.messages.size() ||
        mq_send(fd, q.messages.data() + off + 8, header[1], header[0]) != 0) {
      Warn(absl::StrFormat("the message queue %s lost messages: %s", q.name, strerror(errno)));
      break;
    }
    off += 8 + header[1];
  }
  return fd;
}

// Each queue once; every descriptor of it reopened with its own flags.
absl::Status ShareMqueues(Computation& c) {
  std::vector<ProcessToRestore>& procs = c.procs;
  absl::flat_hash_map<uint64_t, int> made;  // inode -> read-write descriptor (-1: failed)
  for (ProcessToRestore& p : procs) {
    for (const img::MqueueInfo& q : p.image->mqueues) {
      auto it = made.find(q.mqueue.inode);
      if (it == made.end()) it = made.emplace(q.mqueue.inode, MakeQueue(q)).first;
      if (it->second < 0) continue;
      const int fd = open(absl::StrFormat("/proc/self/fd/%d", it->second).c_str(),
                          static_cast<int>(q.mqueue.flags) | O_CLOEXEC);
      if (fd >= 0) p.give.emplace_back(fd, q.mqueue.fd);
    }
  }
  return absl::OkStatus();
}

}  // namespace

extern const ResourceKind kMqueues = {"mqueues", ShareMqueues};

}  // namespace dmtcp
