// terminal_broker.h - pseudo-terminals of a restored computation.
//
// A pseudo-terminal whose master the computation held (forkpty, script, a terminal
// emulator) is created anew, once, with its old window size; every process gets its
// master and slave descriptors back at their old numbers, and the session leader that
// had the slave as controlling terminal gets it again. A terminal whose master was
// outside the computation (the user's) is the one dmtcp_restart runs in: descriptors
// above 2 get that terminal; 0-2 are dmtcp_restart's anyway. The modes (termios) are
// put back by each process's runtime.
#ifndef CORE_RESTART_TERMINAL_BROKER_H
#define CORE_RESTART_TERMINAL_BROKER_H

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/image/reader.h"
#include "core/restart/restore_process.h"

namespace dmtcp {

// The numbers of the pseudo-terminals whose master is in `images`, as "3,7": the
// ones ShareTerminals recreates.
std::string RecreatedPtys(const std::vector<img::ImageIndex>& images);

// Appends the terminal descriptors of each process to its `give` list and sets its
// `ctty` / `keep_session`.
absl::Status ShareTerminals(std::vector<ProcessToRestore>& procs);

}  // namespace dmtcp

#endif  // CORE_RESTART_TERMINAL_BROKER_H
