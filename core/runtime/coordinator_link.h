// coordinator_link.h - the checkpoint thread's connection to dmtcp_coordinator, in the
// protocol of core/protocol/protocol.h, with raw system calls and static buffers.
#ifndef CORE_RUNTIME_COORDINATOR_LINK_H
#define CORE_RUNTIME_COORDINATOR_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "core/protocol/protocol.h"

namespace rt {

struct CoordMessage {
  struct msg_header header;
  char payload[PROTO_MAX_PAYLOAD + 1];  // NUL-terminated
};

// Connects to addr:port (numeric IPv4), says hello as a worker (restarted or not) and
// reads the welcome. The socket lives at FD_COORD. Returns 0 or -errno.
int CoordConnect(const char* addr, int port, bool restarted, const char* image);
int CoordReceive(CoordMessage* m);
int CoordSend(int type, int32_t status, int64_t a0, int64_t a1, int64_t a2, const char* payload);

// A TCP connection to addr:port (numeric IPv4) without a hello: its descriptor or
// -errno. The other helpers here: whole buffers in and out, 0 or -errno.
int ConnectToCoordinator(const char* addr, int port);
int SendAll(int fd, const void* data, size_t len);
int ReceiveAll(int fd, void* data, size_t len);

// The value of `key` in a key=value payload, copied into `out`; false if absent.
bool PayloadValue(const char* payload, const char* key, char* out, size_t size);

}  // namespace rt

#endif  // CORE_RUNTIME_COORDINATOR_LINK_H
