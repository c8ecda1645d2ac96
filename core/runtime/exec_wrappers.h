// exec_wrappers.h - exec while a checkpoint may start (see exec_wrappers.cc).
#ifndef CORE_RUNTIME_EXEC_WRAPPERS_H
#define CORE_RUNTIME_EXEC_WRAPPERS_H

namespace rt {

// At startup, once the checkpoint handler is installed: if an exec wrapper left the
// checkpoint signal blocked, drops the one our previous program was sent and
// unblocks it.
void StartAfterExec();

}  // namespace rt

#endif  // CORE_RUNTIME_EXEC_WRAPPERS_H
