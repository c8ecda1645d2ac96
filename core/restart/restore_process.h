// restore_process.h - bringing a computation back: one process per image, with the
// parent/child relations, process groups, sessions and shared pipes it had.
//
// dmtcp_restart prepares everything first: each process's plan, data pipe and restart
// settings, and the pipes shared between processes (created once, refilled with the
// bytes that were in flight). Then it forks the root processes; each process forks
// its own children before it execs the restorer, so that after the restore parents
// and children are again parents and children (waitpid works). Processes ask for
// their old pids (clone3 set_tid) when the kernel lets them.
#ifndef CORE_RESTART_RESTORE_PROCESS_H
#define CORE_RESTART_RESTORE_PROCESS_H

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/restart/meeting.h"
#include "core/image/plan_builder.h"
#include "core/image/reader.h"
#include "core/restart/shared_memory.h"

namespace dmtcp {

struct RestoreSettings {
  std::string coord_numeric_host;
  int coord_port = 0;
  std::string ckptdir;  // empty: keep the image's
  std::string tmpdir;   // --tmpdir or $DMTCP_TMPDIR; empty: keep the image's
  int interval = -1;
  bool pause = false;   // stop each process before it rejoins (--debug-restart-pause)
  std::string path_mapping;  // dmtcp_restart's DMTCP_PATH_MAPPING, for --pathvirt processes
};

struct ProcessToRestore {
  const img::ImageIndex* image = nullptr;
  const img::RestorePlan* plan = nullptr;
  std::vector<size_t> children;  // indices of the processes it forks
  bool is_root = false;          // forked by dmtcp_restart itself
  std::string restorer;
  std::string info;              // restart settings, passed on FD_RESTART_INFO
  // Descriptors in dmtcp_restart and the numbers they get in the process.
  std::vector<std::pair<int, int>> give;
  int data_write = -1;           // dmtcp_restart's end of the process's data pipe
  int ctty = -1;                 // a session leader's controlling terminal to take
  bool keep_session = false;     // its terminal was the user's: stay in our session
  pid_t pid = -1;                // roots only: the child dmtcp_restart waits for
};

// Everything but the forking: the tree, the plans' descriptors, the shared pipes, and
// `more_fds[i]`, further (descriptor, number) pairs image i's process gets.
// `shared` is what PrepareSharedMemory filled: a descriptor of a deleted file whose
// memory was shared gets that memory back. `meeting`, if not null, joins connections
// with the processes other hosts' dmtcp_restarts restore.
absl::StatusOr<std::vector<ProcessToRestore>> PrepareComputation(
    const std::vector<img::ImageIndex>& images, const std::vector<img::RestorePlan>& plans,
    const RestoreSettings& settings, const SharedMemory& shared, RestartMeeting* meeting);

// Forks the roots (each forks its children, and so on) and closes dmtcp_restart's
// copies of what it handed out. Sets `pid` of the roots.
absl::Status SpawnComputation(std::vector<ProcessToRestore>& procs);

// Sends the compressed chunks down the data pipe, inflated and checked, in plan order.
// (The restorer reads stored chunks from the image itself.)
// Fails with kAborted when the restorer stopped reading (it says why itself), else
// with what was wrong in the image.
absl::Status StreamImageData(const img::ImageIndex& image, const img::RestorePlan& plan,
                             int data_fd);

// Tells the restorer reading `data_fd` that no more data comes because dmtcp_restart
// found the image bad (and reports it): it exits without a message of its own.
void AbortImageData(int data_fd);

}  // namespace dmtcp

#endif  // CORE_RESTART_RESTORE_PROCESS_H
