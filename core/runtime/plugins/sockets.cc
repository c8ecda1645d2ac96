// Plugin: sockets. At checkpoint each socket descriptor is described (family, type,
// addresses, listening or not, for AF_UNIX the peer's inode from sock_diag) and its
// receive queue copied without being consumed (MSG_PEEK; datagrams one by one with
// SO_PEEK_OFF). dmtcp_restart pairs connected sockets across the computation and
// recreates them, listening sockets at their address, and puts the queued bytes back
// (core/restart/descriptor_broker.cc). After the restart only the flags remain to set.
//
// A connection to a peer outside the computation cannot be restored: the checkpoint
// says so, and after a restart the program finds it closed (end of file), not wrong.
#include <errno.h>
#include <stdlib.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include "core/common/env_names.h"
#include "core/common/fmt.h"
#include "core/common/raw_syscalls.h"
#include "core/runtime/fd_table.h"
#include "core/runtime/growing_buffer.h"
#include "core/runtime/hooks.h"
#include "core/runtime/log.h"
#include "core/runtime/plugins/sockets.h"
#include "core/runtime/wrappers.h"

namespace rt {
namespace {

constexpr int kMaxSockets = 512;

struct SavedSocket {
  struct img_socket record;
  uint64_t data_offset;
};

SavedSocket g_sockets[kMaxSockets];
int g_count;

// Socket pairs this process made (kept across fork with the rest of our memory):
// where sock_diag is missing (QEMU user mode emulates no NETLINK_SOCK_DIAG), the only
// way to know the two ends of a socketpair belong together.
constexpr int kMaxPairs = 256;
uint64_t g_pairs[kMaxPairs][2];
int g_pair_count;

uint64_t Inode(int fd) {
  struct statx st;
  long rc = arch_syscall5(__NR_statx, fd, (long)"", AT_EMPTY_PATH, STATX_INO, (long)&st);
  return rc == 0 ? st.stx_ino : 0;
}

uint64_t PairedWith(uint64_t inode) {
  for (int i = 0; i < g_pair_count; i++) {
    if (g_pairs[i][0] == inode) return g_pairs[i][1];
    if (g_pairs[i][1] == inode) return g_pairs[i][0];
  }
  return 0;
}
GrowingBuffer g_data;  // the receive queues

long SockOpt(int fd, int level, int name, void* value, unsigned* len, bool set) {
  return set ? arch_syscall5(__NR_setsockopt, fd, level, name, (long)value, *len)
             : arch_syscall5(__NR_getsockopt, fd, level, name, (long)value, (long)len);
}

long Recv(int fd, void* buf, size_t len, int flags) {
  return arch_syscall6(__NR_recvfrom, fd, (long)buf, (long)len, flags, 0, 0);
}

// The inode of an AF_UNIX socket's connected peer, from sock_diag; 0 if none.
uint64_t UnixPeerInode(uint64_t inode) {
  long nl = sys::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (nl < 0) return 0;
  struct {
    struct nlmsghdr h;
    struct unix_diag_req r;
  } req;
  memset(&req, 0, sizeof req);
  req.h.nlmsg_len = sizeof req;
  req.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  req.h.nlmsg_flags = NLM_F_REQUEST;
  req.r.sdiag_family = AF_UNIX;
  req.r.udiag_states = ~0u;
  req.r.udiag_ino = (unsigned)inode;
  req.r.udiag_show = UDIAG_SHOW_PEER;
  req.r.udiag_cookie[0] = req.r.udiag_cookie[1] = ~0u;  // no cookie: match by inode
  uint64_t peer = 0;
  if (arch_syscall6(__NR_sendto, nl, (long)&req, sizeof req, 0, 0, 0) == (long)sizeof req) {
    alignas(8) char buf[1024];
    long n = Recv((int)nl, buf, sizeof buf, 0);
    for (auto* h = reinterpret_cast<struct nlmsghdr*>(buf); n > 0 && NLMSG_OK(h, (unsigned)n);
         h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY) break;
      auto* msg = static_cast<struct unix_diag_msg*>(NLMSG_DATA(h));
      int len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof *msg));
      for (auto* a = reinterpret_cast<struct rtattr*>(msg + 1); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        if (a->rta_type == UNIX_DIAG_PEER) peer = *static_cast<uint32_t*>(RTA_DATA(a));
      }
    }
  }
  sys::close((int)nl);
  return peer;
}

// Copies the receive queue without consuming it; returns the encoded byte count.
uint32_t CopyReceiveQueue(int fd, int type, uint64_t* offset) {
  *offset = g_data.used;
  if (type == SOCK_STREAM) {
    int queued = 0;
    if (arch_syscall3(__NR_ioctl, fd, SIOCINQ, (long)&queued) < 0 || queued <= 0) return 0;
    char* at = g_data.Reserve((size_t)queued);
    long n = at ? Recv(fd, at, (size_t)queued, MSG_PEEK | MSG_DONTWAIT) : -ENOMEM;
    g_data.used = (size_t)*offset + (n > 0 ? (size_t)n : 0);
    return n > 0 ? (uint32_t)n : 0;
  }
  // Datagrams: peek them one after another by moving the peek offset.
  int off = 0;
  unsigned len = sizeof off;
  if (SockOpt(fd, SOL_SOCKET, SO_PEEK_OFF, &off, &len, true) < 0) {
    int next = 0;
    if (arch_syscall3(__NR_ioctl, fd, SIOCINQ, (long)&next) == 0 && next > 0) {
      Warn("checkpoint: datagrams queued on fd %d cannot be saved without SO_PEEK_OFF (missing "
           "under QEMU user mode); a restart will not have them", fd);
    }
    return 0;
  }
  static char message[65536 + 4];
  uint32_t total = 0;
  for (;;) {
    long n = Recv(fd, message + 4, 65536, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0) break;
    uint32_t m = (uint32_t)n;
    memcpy(message, &m, 4);
    char* at = g_data.Reserve(4 + m);
    if (at == nullptr) break;
    memcpy(at, message, 4 + m);
    total += 4 + m;
    if (n == 0) break;  // an empty datagram does not move the offset
  }
  off = -1;
  SockOpt(fd, SOL_SOCKET, SO_PEEK_OFF, &off, &len, true);
  return total;
}

void Describe(const FdEntry& e, SavedSocket* s) {
  struct img_socket& r = s->record;
  memset(&r, 0, sizeof r);
  r.inode = e.inode;
  r.fd = e.fd;
  r.flags = (uint32_t)e.flags;
  r.cloexec = (uint32_t)e.cloexec;
  unsigned len = sizeof r.family;
  SockOpt(e.fd, SOL_SOCKET, SO_DOMAIN, &r.family, &len, false);
  len = sizeof r.type;
  SockOpt(e.fd, SOL_SOCKET, SO_TYPE, &r.type, &len, false);
  len = sizeof r.protocol;
  SockOpt(e.fd, SOL_SOCKET, SO_PROTOCOL, &r.protocol, &len, false);
  // Options that decide whether the address can be bound again beside others, and
  // those the connection behaves by.
  struct {
    int level, name;
    uint32_t bit;
  } const options[] = {{IPPROTO_IPV6, IPV6_V6ONLY, IMG_SOCK_V6ONLY},
                       {SOL_SOCKET, SO_REUSEADDR, IMG_SOCK_REUSEADDR},
                       {SOL_SOCKET, SO_REUSEPORT, IMG_SOCK_REUSEPORT},
                       {IPPROTO_TCP, TCP_NODELAY, IMG_SOCK_NODELAY},
                       {SOL_SOCKET, SO_KEEPALIVE, IMG_SOCK_KEEPALIVE},
                       {IPPROTO_TCP, TCP_CORK, IMG_SOCK_CORK},
                       {SOL_SOCKET, SO_BROADCAST, IMG_SOCK_BROADCAST}};
  for (const auto& o : options) {
    if (o.level == IPPROTO_IPV6 && r.family != AF_INET6) continue;
    if (o.level == IPPROTO_TCP && r.protocol != IPPROTO_TCP) continue;
    int on = 0;
    len = sizeof on;
    if (SockOpt(e.fd, o.level, o.name, &on, &len, false) == 0 && on) r.options |= o.bit;
  }
  // A TCP connection ends in TIME_WAIT when the process dies, and keeps its port from
  // a listener made again at restart unless both sockets allow reuse: so from the
  // first checkpoint on, every TCP socket (and through the listener, every connection
  // it accepts later) allows it. The image keeps the program's own setting.
  if ((r.family == AF_INET || r.family == AF_INET6) && r.type == SOCK_STREAM) {
    int on = 1;
    len = sizeof on;
    SockOpt(e.fd, SOL_SOCKET, SO_REUSEADDR, &on, &len, true);
  }
  int accepting = 0;
  len = sizeof accepting;
  SockOpt(e.fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &len, false);
  r.listening = accepting != 0;
  unsigned alen = sizeof r.local;
  if (arch_syscall3(__NR_getsockname, e.fd, (long)r.local, (long)&alen) == 0) r.local_len = alen;
  alen = sizeof r.peer;
  if (arch_syscall3(__NR_getpeername, e.fd, (long)r.peer, (long)&alen) == 0) r.peer_len = alen;
  if (r.family == AF_UNIX) {
    r.peer_inode = UnixPeerInode(r.inode);
    if (r.peer_inode == 0) r.peer_inode = PairedWith(r.inode);
  }
  if (!r.listening) r.bytes = CopyReceiveQueue(e.fd, r.type, &s->data_offset);
}

bool Claims(const FdEntry& e) { return e.kind == FdKind::kSocket; }

void Save() {
  g_count = 0;
  g_data.used = 0;
  for (FdEntry* e : OwnedFds(Claims)) {
    if (g_count == kMaxSockets) break;
    Describe(*e, &g_sockets[g_count++]);
    e->saved = 1;
  }
}

int WriteRecords(img::ImageWriter* writer) {
  for (int i = 0; i < g_count; i++) {
    const SavedSocket& s = g_sockets[i];
    int rc = writer->WriteRecord2(IMG_REC_SOCKET, &s.record, sizeof s.record,
                                  g_data.data + (s.record.bytes ? s.data_offset : 0), s.record.bytes);
    if (rc < 0) return rc;
  }
  return 0;
}

// TCP keeps sent bytes in the sender's queue until the peer acknowledges them; on the
// loopback that is a matter of microseconds. Waiting for every queue to empty before
// answering the suspend barrier means the peers' receive queues, copied next, hold
// everything.
void WaitForOutgoingData() {
  for (const FdEntry* e : OwnedFds(Claims)) {
    int protocol = 0;
    unsigned len = sizeof protocol;
    if (SockOpt(e->fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &len, false) < 0 ||
        protocol != IPPROTO_TCP) {
      continue;
    }
    int pending = 0;
    for (int tries = 0; tries < 1000; tries++) {
      if (arch_syscall3(__NR_ioctl, e->fd, SIOCOUTQ, (long)&pending) < 0 || pending == 0) break;
      sys::sleep_ms(1);
    }
    if (pending > 0) {
      Warn("checkpoint: %d bytes sent on fd %d are not acknowledged by its peer and may be lost",
           pending, e->fd);
    }
  }
}

}  // namespace

RUNTIME_PLUGIN(sockets, .claims = Claims, .drain = WaitForOutgoingData, .save = Save, .write_records = WriteRecords)

// "ip:port" or "[ip6]:port" of an AF_INET/AF_INET6 address; false for others.
bool InetText(const uint8_t* addr, uint32_t len, char* out, size_t size) {
  const auto* sa = reinterpret_cast<const struct sockaddr*>(addr);
  if (len >= sizeof(struct sockaddr_in) && sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const struct sockaddr_in*>(addr);
    const uint8_t* b = reinterpret_cast<const uint8_t*>(&in->sin_addr);
    fmt_format(out, size, "%u.%u.%u.%u:%u", b[0], b[1], b[2], b[3], ntohs(in->sin_port));
    return true;
  }
  if (len >= sizeof(struct sockaddr_in6) && sa->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const struct sockaddr_in6*>(addr);
    const uint8_t* b = in6->sin6_addr.s6_addr;
    size_t n = fmt_format(out, size, "[");
    for (int i = 0; i < 16; i += 2) {
      n += fmt_format(out + n, size - n, "%s%x", i ? ":" : "", (b[i] << 8) | b[i + 1]);
    }
    fmt_format(out + n, size - n, "]:%u", ntohs(in6->sin6_port));
    return true;
  }
  return false;
}

size_t DescribeConnections(char* out, size_t size) {
  size_t n = 0;
  for (int i = 0; i < g_count && n + 256 < size; i++) {
    const struct img_socket& r = g_sockets[i].record;
    if (r.listening || r.type == SOCK_DGRAM) continue;
    char local[80], peer[80];
    if (r.family == AF_UNIX && r.peer_inode != 0) {
      fmt_format(local, sizeof local, "unix:%lu", (unsigned long)r.inode);
      fmt_format(peer, sizeof peer, "unix:%lu", (unsigned long)r.peer_inode);
    } else if (!InetText(r.local, r.local_len, local, sizeof local) ||
               !InetText(r.peer, r.peer_len, peer, sizeof peer)) {
      continue;
    }
    n += fmt_format(out + n, size - n, "conn=%d %s %s\n", r.fd, local, peer);
  }
  return n;
}

void NoteSocketPair(uint64_t a, uint64_t b) {
  if (g_pair_count >= kMaxPairs || a == 0 || b == 0 || PairedWith(a) != 0) return;
  g_pairs[g_pair_count][0] = a;
  g_pairs[g_pair_count][1] = b;
  g_pair_count++;
}

// The pairs an exec'ing program passed on: "a:b,a:b,...".
__attribute__((constructor)) void LearnInheritedSocketPairs() {
  const char* text = getenv(ENV_RUNTIME_SOCKPAIRS);
  while (text != nullptr && *text != '\0') {
    char* end;
    const uint64_t a = strtoull(text, &end, 10);
    if (*end != ':') break;
    const uint64_t b = strtoull(end + 1, &end, 10);
    NoteSocketPair(a, b);
    text = *end == ',' ? end + 1 : end;
  }
}

char* const* EnvironmentWithSocketPairs(char* const* envp, char** out, size_t cap) {
  static char text[sizeof(ENV_RUNTIME_SOCKPAIRS) + kMaxPairs * 42];
  if (g_pair_count == 0) return envp;
  size_t n = fmt_format(text, sizeof text, "%s=", ENV_RUNTIME_SOCKPAIRS);
  for (int i = 0; i < g_pair_count; i++) {
    n += fmt_format(text + n, sizeof text - n, "%s%llu:%llu", i ? "," : "",
                    (unsigned long long)g_pairs[i][0], (unsigned long long)g_pairs[i][1]);
  }
  const size_t prefix = sizeof(ENV_RUNTIME_SOCKPAIRS);  // "NAME="
  size_t count = 0;
  for (char* const* e = envp; e != nullptr && *e != nullptr; e++) {
    if (strncmp(*e, text, prefix) == 0) continue;  // an older list
    if (count + 2 >= cap) return envp;
    out[count++] = *e;
  }
  out[count++] = text;
  out[count] = nullptr;
  return out;
}

}  // namespace rt

EXPORT int socketpair(int domain, int type, int protocol,
                                                                  int fds[2]) {
  long rc = arch_syscall4(__NR_socketpair, domain, type, protocol, (long)fds);
  if (rc < 0) {
    errno = (int)-rc;
    return -1;
  }
  if (domain == AF_UNIX) rt::NoteSocketPair(rt::Inode(fds[0]), rt::Inode(fds[1]));
  return 0;
}
