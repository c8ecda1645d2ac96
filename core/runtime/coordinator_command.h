// coordinator_command.h - one command to the coordinator on a connection of its own,
// as dmtcp_command sends it (dmtcp_checkpoint(), the status calls, a checkpoint asked
// for by a signal). Raw system calls only, so a signal handler may use it.
#ifndef CORE_RUNTIME_COORDINATOR_COMMAND_H
#define CORE_RUNTIME_COORDINATOR_COMMAND_H

#include "core/protocol/protocol.h"

namespace rt {

// Sends `command` (CMD_*) and reads the coordinator's reply header; false when the
// coordinator cannot be reached or answers nothing (in a restored process, a call the
// checkpoint interrupted). Waits its turn behind another call of this process.
bool AskCoordinator(int command, struct msg_header* reply);

// The same, but returns false at once when another call is under way (in this thread,
// interrupted, or in another): what a signal handler may do.
bool TryAskCoordinator(int command, struct msg_header* reply);

}  // namespace rt

#endif  // CORE_RUNTIME_COORDINATOR_COMMAND_H
