// admission.h - whom the coordinator serves.
//
// Whoever can talk to a coordinator can kill its processes, checkpoint them, or join a
// process of their own to the computation. So by default a coordinator serves its own
// host only (a peer on a loopback address, or on the address it reached us at: the same
// machine) and, there, its own user and root: the owner of the peer's socket is in
// /proc/net/tcp. A coordinator started with --bind ADDR also serves other hosts.
// Pure functions, unit-tested; server.cc applies them to each accepted connection.
#ifndef CORE_COORDINATOR_ADMISSION_H
#define CORE_COORDINATOR_ADMISSION_H

#include <netinet/in.h>
#include <sys/types.h>

#include <optional>
#include <string_view>

#include "absl/status/status.h"

namespace dmtcp::coordinator {

// Whether a connection from `peer` to our `local` address comes from this host.
bool FromThisHost(const struct sockaddr_in& peer, const struct sockaddr_in& local);

// The owner of the socket at `peer` connected to `local`, found in the text of
// /proc/net/tcp; nullopt if no line is that socket.
std::optional<uid_t> SocketOwner(std::string_view proc_net_tcp, const struct sockaddr_in& peer,
                                 const struct sockaddr_in& local);

struct AdmissionPolicy {
  uid_t self;                  // the coordinator's user
  bool other_hosts = false;    // --bind: peers from other hosts are served too
};

// Ok, or why the peer is refused (one line for the peer and the log). `owner` is
// SocketOwner's answer for a peer on this host (nullopt: could not be told, let in).
absl::Status Admit(const AdmissionPolicy& policy, const struct sockaddr_in& peer,
                   const struct sockaddr_in& local, std::optional<uid_t> owner);

}  // namespace dmtcp::coordinator

#endif  // CORE_COORDINATOR_ADMISSION_H
