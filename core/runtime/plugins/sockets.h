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

// The environment for an exec: `envp` plus the socket pairs this process knows of
// (ENV_RUNTIME_SOCKPAIRS), so the next program can still pair their ends where
// sock_diag is missing (under QEMU: MPI's process managers pass a socketpair end to
// the ranks they exec). Uses `out` (room for `cap` pointers) and a static buffer; no
// allocation, so a vfork child may call it. Returns `envp` itself if nothing to add.
char* const* EnvironmentWithSocketPairs(char* const* envp, char** out, size_t cap);

}  // namespace rt

#endif  // CORE_RUNTIME_PLUGINS_SOCKETS_H
