// restart_script.h - the bash script the coordinator leaves after each checkpoint,
// so users can restore the whole computation with one command:
//   ./dmtcp_restart_script.sh [--coord-host H] [--restartdir D] ...
// It runs dmtcp_restart with the coordinator address and every image of the
// checkpoint; for a computation on several hosts, one dmtcp_restart on each host (over
// $DMTCP_REMOTE_SHELL, default ssh) for that host's images, or on the hosts that
// --host OLD=NEW or --hostfile name instead. dmtcp_restart_script.sh is a symlink to the newest
// dmtcp_restart_script_<compid>.sh.
#ifndef CORE_COORDINATOR_RESTART_SCRIPT_H
#define CORE_COORDINATOR_RESTART_SCRIPT_H

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace dmtcp::coordinator {

struct ScriptImage {
  std::string host;  // where the image was written (shown in the header comment)
  std::string path;  // absolute
};

struct RestartScriptInfo {
  std::string compid;
  int64_t checkpoint = 0;
  absl::Time taken;
  std::string coord_host;
  int coord_port = 0;
  // Absolute path of dmtcp_restart, or a bare name the script finds in $PATH.
  std::string dmtcp_restart = "dmtcp_restart";
  std::vector<ScriptImage> images;
};

// The script's text.
std::string RenderRestartScript(const RestartScriptInfo& info);

// Writes dmtcp_restart_script_<compid>.sh in `dir` (atomically, mode 0755) and points
// the dmtcp_restart_script.sh symlink at it. Returns the script's path.
absl::StatusOr<std::string> WriteRestartScript(const std::string& dir,
                                               const RestartScriptInfo& info);

// dmtcp_restart next to the running binary, else the first one in $PATH, else the
// bare name.
std::string FindDmtcpRestart();

// Wraps `text` in single quotes for bash.
std::string ShellQuote(const std::string& text);

}  // namespace dmtcp::coordinator

#endif  // CORE_COORDINATOR_RESTART_SCRIPT_H
