// sockets.h - what the sockets plugin tells the rest of the runtime.
#ifndef CORE_RUNTIME_PLUGINS_SOCKETS_H
#define CORE_RUNTIME_PLUGINS_SOCKETS_H

#include <stddef.h>

namespace rt {

// The connected stream sockets saved by the last checkpoint, as lines
// "conn=<fd> <local> <peer>" (ip:port, or unix:<inode>) for the coordinator: it pairs
// them across the computation and reports those whose peer is outside it. Returns
// the length written.
size_t DescribeConnections(char* out, size_t size);

}  // namespace rt

#endif  // CORE_RUNTIME_PLUGINS_SOCKETS_H
