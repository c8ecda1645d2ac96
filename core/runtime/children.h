// children.h - a checkpoint must not miss a process its parent has just started.
//
// A child that was forked, spawned (posix_spawn, system, popen) or is exec'ing as the
// checkpoint begins may not have said hello to the coordinator yet, and the
// coordinator only waits for processes it knows. So a process, once its own threads
// are frozen (it cannot start more children then), waits before reporting itself
// suspended until each child has joined the computation, has exited, or turns out
// not to run our runtime at all (a static program, or one started without it). A
// child that joins while the others are being suspended is made part of the
// checkpoint by the coordinator.
//
#ifndef CORE_RUNTIME_CHILDREN_H
#define CORE_RUNTIME_CHILDREN_H

#include "core/image/writer.h"

namespace rt {

void WaitForChildrenToJoin();

// A child that exited and was not reaped yet is kept as a ZOMBIE record: after the
// restart the program may still wait for it (or be about to learn of it by SIGCHLD).
int WriteZombieRecords(img::ImageWriter* writer);

// The checkpoint thread's name once it has joined the coordinator, which the parent
// looks for; "dmtcp_off" when it could not.
inline constexpr char kJoinedThreadName[] = "dmtcp_ckpt";
inline constexpr char kUnjoinedThreadName[] = "dmtcp_off";

}  // namespace rt

#endif  // CORE_RUNTIME_CHILDREN_H
