// socket_owner.h - who owns the other end of a TCP connection made from this host:
// the admission check's question (admission.h) for every client that connects.
//
// The kernel answers one socket at a time through sock_diag (NETLINK_SOCK_DIAG, an
// exact lookup by address and port); where that is missing (some containers, QEMU
// user mode) /proc/net/tcp is read whole, which costs time in proportion to the
// connections already open: with a thousand clients, ten times more per join.
#ifndef CORE_COORDINATOR_SOCKET_OWNER_H
#define CORE_COORDINATOR_SOCKET_OWNER_H

#include <netinet/in.h>
#include <sys/types.h>

#include <optional>

namespace dmtcp::coordinator {

// The owner of the socket whose own address is `peer`, connected to `local`; nullopt
// if it cannot be told.
std::optional<uid_t> LookUpSocketOwner(const struct sockaddr_in& peer, const struct sockaddr_in& local);

// sock_diag's answer alone (nullopt also when sock_diag is unavailable).
std::optional<uid_t> SocketOwnerFromDiag(const struct sockaddr_in& peer, const struct sockaddr_in& local);

}  // namespace dmtcp::coordinator

#endif  // CORE_COORDINATOR_SOCKET_OWNER_H
