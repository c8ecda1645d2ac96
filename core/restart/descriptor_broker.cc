#include "core/restart/descriptor_broker.h"

#include <fcntl.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "core/common/exit_codes.h"
#include "core/restart/file_state.h"
#include "core/restart/terminal_broker.h"

namespace dmtcp {
namespace {

void Warn(const std::string& what) {
  fprintf(stderr, "%s: warning: %s\n", ProgramName(), what.c_str());
}

// One kernel pipe per pipe of the computation, refilled, and its ends handed to each
// process that held them. Pipes on stdin/stdout/stderr whose other end was outside
// the computation are left out: those descriptors stay dmtcp_restart's own. A FIFO is
// reached again through its path: opened O_RDWR by us (so no open blocks), refilled,
// then opened once per descriptor with that descriptor's access mode.
absl::Status SharePipes(std::vector<ProcessToRestore>& procs) {
  struct Shared {
    int fds[2] = {-1, -1};  // a pipe's ends; for a FIFO, fds[0] is our O_RDWR hold
    uint32_t capacity = 0;
    const std::string* in_flight = nullptr;
    const std::string* fifo = nullptr;
    bool has_reader = false, has_writer = false;
    bool given[2] = {false, false};  // whether any process gets this end
  };
  absl::flat_hash_map<uint64_t, Shared> pipes;
  for (const ProcessToRestore& p : procs) {
    for (const img::PipeInfo& info : p.image->pipes) {
      Shared& s = pipes[info.pipe.inode];
      const int mode = info.pipe.flags & O_ACCMODE;
      s.has_reader |= mode != O_WRONLY;
      s.has_writer |= mode != O_RDONLY;
      if (info.pipe.capacity > s.capacity) s.capacity = info.pipe.capacity;
      if (mode != O_WRONLY && s.in_flight == nullptr) s.in_flight = &info.in_flight;
      if (!info.path.empty()) s.fifo = &info.path;
    }
  }
  for (auto& [inode, s] : pipes) {
    int writer;
    if (s.fifo != nullptr) {
      s.fds[0] = open(s.fifo->c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
      if (s.fds[0] < 0) {
        Warn(absl::StrFormat("cannot open the FIFO %s again (%s); its descriptors are not restored",
                             *s.fifo, strerror(errno)));
        continue;
      }
      writer = s.fds[0];
    } else {
      if (pipe2(s.fds, O_CLOEXEC) != 0) return absl::InternalError(strerror(errno));
      writer = s.fds[1];
    }
    if (s.capacity > 0) fcntl(writer, F_SETPIPE_SZ, s.capacity);
    if (s.in_flight != nullptr && !s.in_flight->empty() &&
        write(writer, s.in_flight->data(), s.in_flight->size()) !=
            static_cast<ssize_t>(s.in_flight->size())) {
      return absl::InternalError("cannot put back the bytes a pipe held");
    }
  }
  for (ProcessToRestore& p : procs) {
    for (const img::PipeInfo& info : p.image->pipes) {
      Shared& s = pipes[info.pipe.inode];
      if (s.fds[0] < 0) continue;
      if (info.pipe.fd <= 2 && !(s.has_reader && s.has_writer)) continue;
      const int mode = info.pipe.flags & O_ACCMODE;
      int fd;
      if (s.fifo != nullptr) {
        fd = open(s.fifo->c_str(), mode | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) continue;
      } else {
        fd = mode == O_RDONLY ? s.fds[0] : s.fds[1];
        s.given[mode == O_RDONLY ? 0 : 1] = true;
      }
      p.give.emplace_back(fd, info.pipe.fd);
    }
  }
  // Each process's FIFO descriptors now keep the bytes; our hold can go. An end of a
  // pipe that no process holds is closed, as it was at checkpoint time: readers see
  // the end of the data once the bytes in flight are read (a writer that exited during
  // the checkpoint), writers get EPIPE.
  for (auto& [inode, s] : pipes) {
    if (s.fifo != nullptr && s.fds[0] >= 0) close(s.fds[0]);
    if (s.fifo == nullptr && !s.given[0] && s.fds[0] >= 0) close(s.fds[0]);
    if (s.fifo == nullptr && !s.given[1] && s.fds[1] >= 0) close(s.fds[1]);
  }
  return absl::OkStatus();
}

// ---- sockets ----

struct Holder {
  size_t proc;
  const img::SocketInfo* info;
};

using Sockets = absl::flat_hash_map<uint64_t, std::vector<Holder>>;

std::string Address(const unsigned char* addr, uint32_t len) {
  if (len == 0) return "(none)";
  const auto* sa = reinterpret_cast<const struct sockaddr*>(addr);
  char text[128] = "?";
  if (sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const struct sockaddr_in*>(addr);
    const unsigned char* b = reinterpret_cast<const unsigned char*>(&in->sin_addr);
    snprintf(text, sizeof text, "%u.%u.%u.%u:%u", b[0], b[1], b[2], b[3], ntohs(in->sin_port));
  } else if (sa->sa_family == AF_UNIX) {
    const auto* un = reinterpret_cast<const struct sockaddr_un*>(addr);
    snprintf(text, sizeof text, "%s%s", un->sun_path[0] ? "" : "@",
             un->sun_path[0] ? un->sun_path : un->sun_path + 1);
  } else {
    snprintf(text, sizeof text, "family %d", sa->sa_family);
  }
  return text;
}

// The connected peer of `s` among the recorded sockets, or 0.
uint64_t PeerOf(const struct img_socket& s, const Sockets& all) {
  if (s.family == AF_UNIX) return s.peer_inode != 0 && all.contains(s.peer_inode) ? s.peer_inode : 0;
  if (s.peer_len == 0) return 0;
  for (const auto& [inode, holders] : all) {
    const struct img_socket& t = holders[0].info->socket;
    if (t.local_len == s.peer_len && t.peer_len == s.local_len &&
        memcmp(t.local, s.peer, s.peer_len) == 0 && memcmp(t.peer, s.local, s.local_len) == 0) {
      return inode;
    }
  }
  return 0;
}

// Puts `queue` (as recorded for the other end) into the connection through `fd`.
void Refill(int fd, const struct img_socket& s, const std::string& queue) {
  if (queue.empty()) return;
  int size = static_cast<int>(queue.size()) * 2 + 65536;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size);
  size_t sent = 0;
  if (s.type == SOCK_STREAM) {
    while (sent < queue.size()) {
      ssize_t n = send(fd, queue.data() + sent, queue.size() - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
  } else {
    while (sent + 4 <= queue.size()) {
      uint32_t len;
      memcpy(&len, queue.data() + sent, 4);
      if (sent + 4 + len > queue.size() ||
          send(fd, queue.data() + sent + 4, len, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)len) {
        break;
      }
      sent += 4 + len;
    }
  }
  if (sent < queue.size()) {
    Warn(absl::StrFormat("%d of %d queued bytes could not be put back into a socket",
                         queue.size() - sent, queue.size()));
  }
}

// A connected TCP pair on the loopback of `family`.
bool TcpPair(int family, int fds[2]) {
  struct sockaddr_storage addr;
  memset(&addr, 0, sizeof addr);
  socklen_t len;
  if (family == AF_INET6) {
    auto* in6 = reinterpret_cast<struct sockaddr_in6*>(&addr);
    in6->sin6_family = AF_INET6;
    in6->sin6_addr = in6addr_loopback;
    len = sizeof *in6;
  } else {
    auto* in = reinterpret_cast<struct sockaddr_in*>(&addr);
    in->sin_family = AF_INET;
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof *in;
  }
  int listener = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  bool ok = listener >= 0 && bind(listener, reinterpret_cast<struct sockaddr*>(&addr), len) == 0 &&
            listen(listener, 1) == 0 &&
            getsockname(listener, reinterpret_cast<struct sockaddr*>(&addr), &len) == 0;
  fds[0] = ok ? socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0) : -1;
  ok = ok && fds[0] >= 0 && connect(fds[0], reinterpret_cast<struct sockaddr*>(&addr), len) == 0;
  fds[1] = ok ? accept4(listener, nullptr, nullptr, SOCK_CLOEXEC) : -1;
  if (listener >= 0) close(listener);
  return ok && fds[1] >= 0;
}

// The options recorded that matter for binding the address again.
void SetBindOptions(int fd, const struct img_socket& s) {
  const int one = 1;
  if (s.family == AF_INET6) {
    const int v6only = (s.options & IMG_SOCK_V6ONLY) ? 1 : 0;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
  }
  if (s.options & IMG_SOCK_REUSEPORT) setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (s.options & IMG_SOCK_REUSEADDR) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
}

int Listening(const struct img_socket& s) {
  int fd = socket(s.family, s.type | SOCK_CLOEXEC, s.protocol);
  SetBindOptions(fd, s);
  // Connections accepted before the checkpoint may linger in TIME_WAIT on this port.
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const auto* un = reinterpret_cast<const struct sockaddr_un*>(s.local);
  if (s.family == AF_UNIX && un->sun_path[0] != '\0') unlink(un->sun_path);  // a stale name
  if (fd < 0 || bind(fd, reinterpret_cast<const struct sockaddr*>(s.local), s.local_len) != 0 ||
      listen(fd, SOMAXCONN) != 0) {
    Warn(absl::StrFormat("cannot listen on %s again: %s", Address(s.local, s.local_len),
                         strerror(errno)));
    if (fd >= 0) close(fd);
    return -1;
  }
  return fd;
}

// A socket with no peer in the computation: unconnected ones are recreated (bound, and
// for datagrams connected, as before); connections to the outside come back closed.
int Unpaired(const struct img_socket& s) {
  const bool connected_stream = s.type != SOCK_DGRAM && (s.peer_len > 0 || s.peer_inode != 0);
  if (connected_stream) {
    Warn(absl::StrFormat("a connection to %s, outside the computation, is not restored: the "
                         "program finds it closed", Address(s.peer, s.peer_len)));
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) return -1;
    close(pair[1]);
    return pair[0];
  }
  int fd = socket(s.family, s.type | SOCK_CLOEXEC, s.protocol);
  if (fd < 0) return -1;
  const auto* sa = reinterpret_cast<const struct sockaddr*>(s.local);
  const bool bound = s.local_len > sizeof(sa_family_t) &&
                     !(sa->sa_family == AF_INET &&
                       reinterpret_cast<const struct sockaddr_in*>(s.local)->sin_port == 0);
  if (bound) {
    const auto* un = reinterpret_cast<const struct sockaddr_un*>(s.local);
    if (s.family == AF_UNIX && un->sun_path[0] != '\0') unlink(un->sun_path);
    SetBindOptions(fd, s);
    if (bind(fd, sa, s.local_len) != 0) {
      Warn(absl::StrFormat("cannot bind %s again: %s", Address(s.local, s.local_len), strerror(errno)));
    }
  }
  if (s.peer_len > 0) connect(fd, reinterpret_cast<const struct sockaddr*>(s.peer), s.peer_len);
  return fd;
}

absl::Status ShareSockets(std::vector<ProcessToRestore>& procs) {
  Sockets all;
  for (size_t p = 0; p < procs.size(); p++) {
    for (const img::SocketInfo& info : procs[p].image->sockets) {
      all[info.socket.inode].push_back({p, &info});
    }
  }
  absl::flat_hash_map<uint64_t, int> made;  // inode -> its new socket in dmtcp_restart
  for (const auto& [inode, holders] : all) {
    if (made.contains(inode)) continue;
    const struct img_socket& s = holders[0].info->socket;
    if (s.listening) {
      made[inode] = Listening(s);
      continue;
    }
    const uint64_t peer = PeerOf(s, all);
    if (peer == 0 || made.contains(peer)) {
      made[inode] = Unpaired(s);
      continue;
    }
    int fds[2];
    const bool ok = s.family == AF_UNIX
                        ? socketpair(AF_UNIX, s.type | SOCK_CLOEXEC, 0, fds) == 0
                        : TcpPair(s.family, fds);
    if (!ok) return absl::InternalError(absl::StrFormat("cannot recreate a connection: %s", strerror(errno)));
    made[inode] = fds[0];
    made[peer] = fds[1];
    // What each end had received goes in from the other end.
    Refill(fds[1], s, holders[0].info->queue);
    const std::vector<Holder>& peer_holders = all.at(peer);
    Refill(fds[0], peer_holders[0].info->socket, peer_holders[0].info->queue);
  }
  for (const auto& [inode, holders] : all) {
    const int fd = made[inode];
    if (fd < 0) continue;
    for (const Holder& h : holders) {
      const struct img_socket& s = h.info->socket;
      // stdin/stdout/stderr connected to the outside stay dmtcp_restart's own.
      if (s.fd <= 2 && PeerOf(s, all) == 0 && !s.listening) continue;
      procs[h.proc].give.emplace_back(fd, s.fd);
    }
  }
  return absl::OkStatus();
}

// ---- files ----

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// An open file description: the same file, flags and offset.
struct DescriptionKey {
  uint64_t dev, inode;
  uint32_t flags;
  int64_t pos;
  bool operator==(const DescriptionKey& o) const {
    return dev == o.dev && inode == o.inode && flags == o.flags && pos == o.pos;
  }
  template <typename H>
  friend H AbslHashValue(H h, const DescriptionKey& k) {
    return H::combine(std::move(h), k.dev, k.inode, k.flags, k.pos);
  }
};

// A deleted file made again from the contents the image holds: unlinked, in its old
// directory if that still exists (so it stays on the same kind of filesystem), else
// as a memfd; opened with `flags` at the saved offset.
int Ghost(const img::FileInfo& f, int flags) {
  const std::string path = f.path.substr(0, f.path.size() - strlen(" (deleted)"));
  const std::string dir = path.substr(0, path.rfind('/') + 1);
  int fd = open(dir.empty() ? "." : dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) fd = memfd_create(path.substr(path.rfind('/') + 1).c_str(), MFD_CLOEXEC);
  if (fd < 0) return -1;
  for (size_t done = 0; done < f.ghost.size();) {
    ssize_t n = pwrite(fd, f.ghost.data() + done, f.ghost.size() - done, static_cast<off_t>(done));
    if (n <= 0) {
      close(fd);
      return -1;
    }
    done += static_cast<size_t>(n);
  }
  int reopened = open(absl::StrFormat("/proc/self/fd/%d", fd).c_str(), flags);
  close(fd);
  if (reopened >= 0 && f.file.pos > 0) lseek(reopened, static_cast<off_t>(f.file.pos), SEEK_SET);
  return reopened;
}

// Each open file description once: descriptors that shared it within a process
// (same_as) or across processes (same file, flags and offset) get the same one.
absl::Status ShareFiles(std::vector<ProcessToRestore>& procs, const SharedObjects& objects) {
  absl::flat_hash_map<DescriptionKey, int> opened;  // description -> our descriptor (-1: failed)
  for (ProcessToRestore& p : procs) {
    absl::flat_hash_map<int, const img::FileInfo*> by_fd;
    for (const img::FileInfo& f : p.image->files) by_fd[f.file.fd] = &f;
    for (const img::FileInfo& f : p.image->files) {
      // A terminal on 0-2 is the terminal dmtcp_restart runs in.
      if (f.file.kind == IMG_FILE_TERMINAL && f.file.fd <= 2) continue;
      const img::FileInfo* rep = f.file.same_as >= 0 && by_fd.contains(f.file.same_as)
                                     ? by_fd[f.file.same_as]
                                     : &f;
      const DescriptionKey key{rep->file.dev, rep->file.inode, rep->file.flags & ~(uint32_t)O_CLOEXEC,
                    rep->file.kind == IMG_FILE_REGULAR || rep->file.kind == IMG_FILE_DIRECTORY
                        ? rep->file.pos : 0};
      auto it = opened.find(key);
      if (it == opened.end()) {
        int fd = -1;
        // O_NOFOLLOW (shm_open passes it) would refuse /proc/self/fd's magic links, and
        // the path recorded is the one the descriptor reached anyway.
        const int flags =
            (int)(rep->file.flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY | O_NOFOLLOW)) | O_CLOEXEC;
        if (EndsWith(rep->path, " (deleted)")) {
          // Deleted, but perhaps its contents were mapped shared (a /dev/shm segment
          // created, mapped and unlinked): the memory dmtcp_restart filled is that file.
          const auto memory = objects.find({rep->file.dev, rep->file.inode});
          if (memory != objects.end()) {
            fd = open(absl::StrFormat("/proc/self/fd/%d", memory->second).c_str(), flags);
            if (fd >= 0 && key.pos > 0) lseek(fd, static_cast<off_t>(key.pos), SEEK_SET);
          }
          if (fd < 0 && rep->has_ghost) fd = Ghost(*rep, flags);
          if (fd < 0) {
            Warn(absl::StrFormat("%s was deleted before the checkpoint; fd %d of %s is not restored",
                                 rep->path, f.file.fd, p.image->path));
          }
        } else {
          fd = open(rep->path.c_str(), flags);
          if (fd < 0) {
            Warn(absl::StrFormat("cannot reopen %s (%s); fd %d of %s is not restored", rep->path,
                                 strerror(errno), f.file.fd, p.image->path));
          } else if (key.pos > 0) {
            lseek(fd, static_cast<off_t>(key.pos), SEEK_SET);
          }
        }
        it = opened.emplace(key, fd).first;
      }
      if (it->second >= 0) p.give.emplace_back(it->second, f.file.fd);
    }
  }
  return absl::OkStatus();
}

// ---- POSIX message queues ----

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
void ShareMqueues(std::vector<ProcessToRestore>& procs) {
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
}

}  // namespace

absl::Status ShareDescriptors(std::vector<ProcessToRestore>& procs, const SharedObjects& objects) {
  std::vector<const img::ImageIndex*> images;
  for (const ProcessToRestore& p : procs) images.push_back(p.image);
  PutBackFiles(images);
  absl::Status s = ShareFiles(procs, objects);
  if (s.ok()) s = SharePipes(procs);
  if (s.ok()) s = ShareSockets(procs);
  if (s.ok()) s = ShareTerminals(procs);
  if (s.ok()) ShareMqueues(procs);
  return s;
}

}  // namespace dmtcp
