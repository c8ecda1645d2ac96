#include "core/coordinator/socket_owner.h"

#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "core/coordinator/admission.h"

namespace dmtcp::coordinator {
namespace {

// The whole of a /proc file (whose size stat does not tell).
bool ReadWholeFile(const char* path, std::string* out) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buffer[65536];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof buffer)) > 0) out->append(buffer, static_cast<size_t>(n));
  close(fd);
  return n == 0;
}

}  // namespace

std::optional<uid_t> SocketOwnerFromDiag(const struct sockaddr_in& peer, const struct sockaddr_in& local) {
  const int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return std::nullopt;
  struct timeval limit = {1, 0};  // the kernel answers at once, or never
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  struct {
    struct nlmsghdr header;
    struct inet_diag_req_v2 request;
  } ask;
  memset(&ask, 0, sizeof ask);
  ask.header.nlmsg_len = sizeof ask;
  ask.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  ask.header.nlmsg_flags = NLM_F_REQUEST;  // one socket, not a dump
  ask.request.sdiag_family = AF_INET;
  ask.request.sdiag_protocol = IPPROTO_TCP;
  ask.request.idiag_states = ~0u;
  // The socket sought has the peer's address as its own ("src") and ours as "dst".
  ask.request.id.idiag_sport = peer.sin_port;
  ask.request.id.idiag_dport = local.sin_port;
  ask.request.id.idiag_src[0] = peer.sin_addr.s_addr;
  ask.request.id.idiag_dst[0] = local.sin_addr.s_addr;
  ask.request.id.idiag_cookie[0] = ask.request.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
  std::optional<uid_t> owner;
  char reply[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
  ssize_t n = -1;
  if (send(fd, &ask, sizeof ask, 0) == static_cast<ssize_t>(sizeof ask)) n = recv(fd, reply, sizeof reply, 0);
  if (n > 0) {
    auto* h = reinterpret_cast<struct nlmsghdr*>(reply);
    if (NLMSG_OK(h, static_cast<unsigned>(n)) && h->nlmsg_type == SOCK_DIAG_BY_FAMILY &&
        h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct inet_diag_msg))) {
      owner = static_cast<const struct inet_diag_msg*>(NLMSG_DATA(h))->idiag_uid;
    }
  }
  close(fd);
  return owner;
}

std::optional<uid_t> LookUpSocketOwner(const struct sockaddr_in& peer, const struct sockaddr_in& local) {
  if (std::optional<uid_t> owner = SocketOwnerFromDiag(peer, local)) return owner;
  std::string sockets;
  if (!ReadWholeFile("/proc/net/tcp", &sockets)) return std::nullopt;
  return SocketOwner(sockets, peer, local);
}

}  // namespace dmtcp::coordinator
