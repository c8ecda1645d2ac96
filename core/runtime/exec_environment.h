// exec_environment.h - what the next program needs to stay under checkpoint control.
//
// A program may exec another with an environment of its own making (env -i, a shell's
// clean environment, or DMTCP's forkexec test: "A=B", "LD_PRELOAD=taco"). Without our
// preload and settings the new program would run on outside the computation, and the
// next checkpoint would miss it. So every exec gets them back, as DMTCP does.
#ifndef CORE_RUNTIME_EXEC_ENVIRONMENT_H
#define CORE_RUNTIME_EXEC_ENVIRONMENT_H

#include <stddef.h>

namespace rt {

// At startup: remembers this process's DMTCP_* settings and its preload library.
void RememberExecEnvironment(char* const* environ);

// `envp` with every remembered DMTCP_* setting it lacks added, and our library first
// in its LD_PRELOAD. Uses `out` (room for `cap` pointers) and static buffers; no
// allocation, so a vfork child may call it. Returns `envp` itself if nothing is missing.
char* const* EnvironmentWithRuntime(char* const* envp, char** out, size_t cap);

}  // namespace rt

#endif  // CORE_RUNTIME_EXEC_ENVIRONMENT_H
