// coordinator_launcher.h - finds or starts the dmtcp_coordinator that dmtcp_launch and
// dmtcp_restart report to.
//
// "Is a coordinator there?" is answered by a real CMD_STATUS exchange, so another
// program listening on the port is reported as such instead of being joined.
// A coordinator we start is the dmtcp_coordinator binary next to the running one,
// run as a daemon with --exit-on-last, so it goes away with the computation.
#ifndef CORE_TOOLS_COORDINATOR_LAUNCHER_H
#define CORE_TOOLS_COORDINATOR_LAUNCHER_H

#include <string>

#include "absl/status/statusor.h"

namespace dmtcp {

struct CoordinatorAddress {
  std::string host;          // as the user gave it
  std::string numeric_host;  // dotted-quad IPv4, for the runtime
  int port = 0;
  bool started = false;      // EnsureCoordinator started it for us
};

enum class CoordinatorMode {
  kJoinOrStart,  // join the coordinator at host:port, or start one there if none answers
  kJoinOnly,     // fail if no coordinator answers
  kStartNew,     // always start one (port 0: any free port); fail if the port is taken
};

struct CoordinatorStartOptions {
  int interval = -1;  // --interval for a started coordinator; -1: not given
  bool quiet = true;
  std::string bind;   // --bind for a started coordinator; empty: loopback only
};

// Returns where the coordinator to use listens: `wanted` with the numeric host filled
// in and, for a started coordinator, the port it actually got. Starting one is only
// possible when the host is this machine; asked for by one of this machine's other
// addresses than loopback, it listens there (other hosts are to reach it).
absl::StatusOr<CoordinatorAddress> EnsureCoordinator(const CoordinatorAddress& wanted,
                                                     CoordinatorMode mode,
                                                     const CoordinatorStartOptions& opts);

// For a tool that fails after EnsureCoordinator: a coordinator it started has no
// other user and would wait for one forever (--exit-on-last needs a first client), so
// it is told to quit. Does nothing for a coordinator that was already running.
void QuitIfStarted(const CoordinatorAddress& address);

// $DMTCP_COORD_HOST and $DMTCP_COORD_PORT, or localhost:7779.
CoordinatorAddress CoordinatorFromEnvironment();

class ArgReader;
// If the current argument is one of the coordinator options shared by dmtcp_launch,
// dmtcp_restart and dmtcp_command (-h/--coord-host, -p/--coord-port/--port, and with
// `mode`: -j/--join-coordinator, --new-coordinator, --no-coordinator: a coordinator of
// the computation's own on a free port), applies it and returns true.
bool TakeCoordinatorOption(ArgReader& args, CoordinatorAddress* address, CoordinatorMode* mode);

}  // namespace dmtcp

#endif  // CORE_TOOLS_COORDINATOR_LAUNCHER_H
