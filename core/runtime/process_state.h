// process_state.h - the per-process kernel state an image must carry besides memory:
// the memory-layout fields of the mm (brk, argument and environment ranges, auxv),
// the executable and the working directory.
#ifndef CORE_RUNTIME_PROCESS_STATE_H
#define CORE_RUNTIME_PROCESS_STATE_H

#include "core/image/format.h"

namespace rt {

// Reads /proc/self/stat, /proc/self/auxv, brk(0) and the exe and cwd links.
int ReadProcessState(struct img_process* out);

// After a restart: give the kernel back the saved layout (PR_SET_MM_MAP), so that brk
// grows the old heap and /proc/self/{exe,cmdline,environ,auxv} look as before; then
// chdir to the saved directory.
void RestoreProcessState(const struct img_process& saved);

}  // namespace rt

#endif  // CORE_RUNTIME_PROCESS_STATE_H
