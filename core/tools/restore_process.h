// restore_process.h - one restored process: the child that execs the restorer, fed
// its plan and memory contents by dmtcp_restart.
#ifndef CORE_TOOLS_RESTORE_PROCESS_H
#define CORE_TOOLS_RESTORE_PROCESS_H

#include <sys/types.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/image/plan_builder.h"
#include "core/image/reader.h"

namespace dmtcp {

struct RestoreSettings {
  std::string coord_numeric_host;
  int coord_port = 0;
  std::string ckptdir;  // empty: keep the image's
  int interval = -1;
};

struct RestoreProcess {
  pid_t pid = -1;
  bool kept_pid = false;  // the child got the checkpointed pid back
  int data_fd = -1;       // write end of the data pipe
};

// Forks the child (asking for the checkpointed pid when allowed) and execs the
// restorer in it with the plan, the data pipe and the restart settings on the fds of
// core/common/fds.h.
absl::StatusOr<RestoreProcess> StartRestoreProcess(const img::ImageIndex& image,
                                                   const img::RestorePlan& plan,
                                                   const RestoreSettings& settings);

// Sends the compressed chunks down the data pipe, inflated and checked, in plan order.
// (The restorer reads stored chunks from the image itself.)
absl::Status StreamImageData(const img::ImageIndex& image, const img::RestorePlan& plan,
                             int data_fd);

}  // namespace dmtcp

#endif  // CORE_TOOLS_RESTORE_PROCESS_H
