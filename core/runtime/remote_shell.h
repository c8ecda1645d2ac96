// remote_shell.h - `ssh HOST COMMAND` (or rsh) run by a process of the computation
// starts COMMAND as part of it: the exec becomes one of dmtcp_ssh (core/tools/
// dmtcp_ssh.cc), which runs COMMAND on HOST under dmtcp_launch and relays its streams
// over connections the computation owns. MPI launchers and batch systems start their
// remote processes this way.
#ifndef CORE_RUNTIME_REMOTE_SHELL_H
#define CORE_RUNTIME_REMOTE_SHELL_H

#include <stddef.h>

namespace rt {

// If `file` is ssh or rsh and dmtcp_ssh is known: fills `out` (room for `cap`
// pointers) with dmtcp_ssh's arguments and returns its path; else null. No
// allocation (a vfork child may call it).
const char* RemoteShellExec(const char* file, char* const* argv, char** out, size_t cap);

}  // namespace rt

#endif  // CORE_RUNTIME_REMOTE_SHELL_H
