// sockets.cc - sockets: connections between restored processes made again as pairs,
// listeners bound again, each refilled with the bytes it had received.
// One kind of resource_kind.h.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_format.h"
#include "core/restart/joined_connections.h"
#include "core/restart/resource_kind.h"

namespace dmtcp {
namespace {

struct Holder {
  size_t proc;
  const img::SocketInfo* info;
};

using Sockets = absl::flat_hash_map<uint64_t, std::vector<Holder>>;

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
  const int one = 1;  // the pair's ports keep no restored listener from its port
  if (listener >= 0) setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  bool ok = listener >= 0 && bind(listener, reinterpret_cast<struct sockaddr*>(&addr), len) == 0 &&
            listen(listener, 1) == 0 &&
            getsockname(listener, reinterpret_cast<struct sockaddr*>(&addr), &len) == 0;
  fds[0] = ok ? socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0) : -1;
  if (fds[0] >= 0) setsockopt(fds[0], SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
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

// The options the connection behaves by, once its queue is refilled (a cork set
// earlier would hold those bytes back).
void SetConnectionOptions(int fd, const struct img_socket& s) {
  const int one = 1;
  if (s.options & IMG_SOCK_NODELAY) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (s.options & IMG_SOCK_KEEPALIVE) setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
  if (s.options & IMG_SOCK_BROADCAST) setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
  if (s.options & IMG_SOCK_CORK) setsockopt(fd, IPPROTO_TCP, TCP_CORK, &one, sizeof one);
}

int Listening(const struct img_socket& s) {
  int fd = socket(s.family, s.type | SOCK_CLOEXEC, s.protocol);
  SetBindOptions(fd, s);
  // Connections accepted before the checkpoint may linger in TIME_WAIT on this port.
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const auto* un = reinterpret_cast<const struct sockaddr_un*>(s.local);
  if (s.family == AF_UNIX && un->sun_path[0] != '\0') unlink(un->sun_path);  // a stale name
  bool bound = fd >= 0 && bind(fd, reinterpret_cast<const struct sockaddr*>(s.local), s.local_len) == 0;
  const bool inet = s.family == AF_INET || s.family == AF_INET6;
  struct sockaddr_storage addr;
  memcpy(&addr, s.local, std::min<size_t>(s.local_len, sizeof addr));
  in_port_t* port = s.family == AF_INET6 ? &reinterpret_cast<struct sockaddr_in6*>(&addr)->sin6_port
                                         : &reinterpret_cast<struct sockaddr_in*>(&addr)->sin_port;
  if (!bound && errno == EADDRNOTAVAIL && inet) {
    // Restarted on another host, which lacks the address: the same port on all of its.
    if (s.family == AF_INET) {
      reinterpret_cast<struct sockaddr_in*>(&addr)->sin_addr.s_addr = htonl(INADDR_ANY);
    } else {
      reinterpret_cast<struct sockaddr_in6*>(&addr)->sin6_addr = in6addr_any;
    }
    bound = bind(fd, reinterpret_cast<const struct sockaddr*>(&addr), s.local_len) == 0;
  }
  if (!bound && errno == EADDRINUSE && inet) {
    // Something here holds the port (another program, or on another host a connection
    // of another computation lingering in TIME_WAIT): any port beats no listener, which
    // the program would find gone. Peers that knew the old port reach it no more.
    *port = 0;
    socklen_t len = sizeof addr;
    bound = bind(fd, reinterpret_cast<const struct sockaddr*>(&addr), s.local_len) == 0 &&
            getsockname(fd, reinterpret_cast<struct sockaddr*>(&addr), &len) == 0;
    if (bound) {
      Warn(absl::StrFormat("%s is taken here: the program listens on port %u instead",
                           SocketAddressText(s.local, s.local_len), ntohs(*port)));
    }
  }
  if (!bound || listen(fd, SOMAXCONN) != 0) {
    Warn(absl::StrFormat("cannot listen on %s again: %s", SocketAddressText(s.local, s.local_len),
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
                         "program finds it closed", SocketAddressText(s.peer, s.peer_len)));
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
      Warn(absl::StrFormat("cannot bind %s again: %s", SocketAddressText(s.local, s.local_len), strerror(errno)));
    }
  }
  if (s.peer_len > 0) connect(fd, reinterpret_cast<const struct sockaddr*>(s.peer), s.peer_len);
  return fd;
}

absl::Status ShareSockets(Computation& c) {
  std::vector<ProcessToRestore>& procs = c.procs;
  Sockets all;
  for (size_t p = 0; p < procs.size(); p++) {
    for (const img::SocketInfo& info : procs[p].image->sockets) {
      all[info.socket.inode].push_back({p, &info});
    }
  }
  absl::flat_hash_map<uint64_t, int> made;  // inode -> its new socket in dmtcp_restart
  // Connections whose other end may be restored on another host.
  std::vector<ConnectionEnd> elsewhere;
  const bool spans_hosts = c.meeting != nullptr && c.meeting->spans_hosts();
  for (const auto& [inode, holders] : all) {
    if (made.contains(inode)) continue;
    const struct img_socket& s = holders[0].info->socket;
    if (s.listening) {
      made[inode] = Listening(s);
      continue;
    }
    const uint64_t peer = PeerOf(s, all);
    if (peer == 0 && spans_hosts && s.type == SOCK_STREAM && s.peer_len > 0 &&
        (s.family == AF_INET || s.family == AF_INET6)) {
      elsewhere.push_back({holders[0].info});
      continue;
    }
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
  if (!elsewhere.empty() || spans_hosts) {
    // Every host takes part, even with nothing to join: the others wait for it.
    absl::Status joined = JoinAcrossHosts(*c.meeting, elsewhere);
    if (!joined.ok()) return joined;
  }
  absl::flat_hash_set<uint64_t> joined;  // connections to processes on other hosts
  for (const ConnectionEnd& end : elsewhere) {
    made[end.info->socket.inode] = end.fd >= 0 ? end.fd : Unpaired(end.info->socket);
    if (end.fd >= 0) joined.insert(end.info->socket.inode);
  }
  for (const auto& [inode, holders] : all) {
    const int fd = made[inode];
    if (fd < 0) continue;
    SetConnectionOptions(fd, holders[0].info->socket);
    for (const Holder& h : holders) {
      const struct img_socket& s = h.info->socket;
      // stdin/stdout/stderr connected to the outside stay dmtcp_restart's own.
      if (s.fd <= 2 && PeerOf(s, all) == 0 && !joined.contains(inode) && !s.listening) continue;
      procs[h.proc].give.emplace_back(fd, s.fd);
    }
  }
  return absl::OkStatus();
}

}  // namespace

extern const ResourceKind kSockets = {"sockets", ShareSockets};

}  // namespace dmtcp
