// sysv_broker.h - System V IPC objects brought back by dmtcp_restart.
//
// A shared memory segment, semaphore set or message queue belongs to no process: each
// one the computation used is created once, before any process is restored, with the
// state its images recorded (a segment's contents from an area mapping it, semaphore
// values, queued messages). An object with a key that exists on this host already is
// taken over and set to the checkpointed state (it is most likely the same object,
// left behind by the processes that were killed); a private one is always new. The
// processes learn each object's new id ("sysv=kind:old:new,..." in their restart
// settings) and put their segments back at the addresses they had.
#ifndef CORE_RESTART_SYSV_BROKER_H
#define CORE_RESTART_SYSV_BROKER_H

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/image/reader.h"

namespace dmtcp {

// Creates the objects; returns the restart setting line ("sysv=...\n"), empty if none.
absl::StatusOr<std::string> RecreateSysvObjects(const std::vector<img::ImageIndex>& images);

}  // namespace dmtcp

#endif  // CORE_RESTART_SYSV_BROKER_H
