// joined_connections.h - TCP connections between processes that are restarted on
// different hosts, joined again through the dmtcp_restarts' meeting (meeting.h).
//
// Each end's dmtcp_restart knows only its own end: the addresses at checkpoint time
// and the bytes its process had received. The end whose old "local>peer" text sorts
// first listens on a fresh port and publishes where; the other publishes that it
// exists. When every host has published, each end looks up the other: the connector
// connects, and the two dmtcp_restarts trade the bytes each process had received,
// each sending back into the new connection what its peer's process is to read. An
// end whose other end nobody restores stays unjoined (the caller closes it).
// Connecting, accepting and trading go in three rounds, so that no two hosts ever
// wait for each other.
#ifndef CORE_RESTART_JOINED_CONNECTIONS_H
#define CORE_RESTART_JOINED_CONNECTIONS_H

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/image/reader.h"
#include "core/restart/meeting.h"

namespace dmtcp {

struct ConnectionEnd {
  const img::SocketInfo* info;
  int fd = -1;  // the joined connection, or -1
};

// Joins every end it can; the others keep fd -1.
absl::Status JoinAcrossHosts(RestartMeeting& meeting, std::vector<ConnectionEnd>& ends);

// "a.b.c.d:port", "[v6]:port", a socket path ("@" for the abstract name), "(none)".
std::string SocketAddressText(const unsigned char* addr, uint32_t len);

}  // namespace dmtcp

#endif  // CORE_RESTART_JOINED_CONNECTIONS_H
