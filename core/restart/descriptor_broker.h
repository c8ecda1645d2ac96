// descriptor_broker.h - kernel objects several restored processes share (pipes,
// sockets), recreated once by dmtcp_restart before any process starts, refilled with
// the bytes they held, and handed to each process at its old descriptor numbers.
#ifndef CORE_RESTART_DESCRIPTOR_BROKER_H
#define CORE_RESTART_DESCRIPTOR_BROKER_H

#include <vector>

#include "absl/status/status.h"
#include "core/restart/restore_process.h"

namespace dmtcp {

// Appends to each process's `give` list the files, pipes, sockets and terminals its
// image recorded.
absl::Status ShareDescriptors(std::vector<ProcessToRestore>& procs, const SharedObjects& objects);

}  // namespace dmtcp

#endif  // CORE_RESTART_DESCRIPTOR_BROKER_H
