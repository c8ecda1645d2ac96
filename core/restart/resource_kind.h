// resource_kind.h - what dmtcp_restart brings back for the whole computation before
// any process starts, one kind of resource at a time.
//
// Kernel objects that several processes share (a pipe, a connection, an open file
// description, a pseudo-terminal, a System V object) must exist once, refilled with
// what the images recorded, before any restored process runs. Each kind does that in
// one file of kinds/ and hands every process its descriptors (ProcessToRestore::give)
// and settings (ProcessToRestore::info). The image reader has parsed and checked the
// records already (resource_records.h). A new kind is one file here, one checkpoint
// plugin in core/runtime/plugins/, and its record in the format; its line in the table
// in resource_kinds.cc says when it runs.
#ifndef CORE_RESTART_RESOURCE_KIND_H
#define CORE_RESTART_RESOURCE_KIND_H

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/image/reader.h"
#include "core/restart/meeting.h"
#include "core/restart/restore_process.h"
#include "core/restart/shared_memory.h"

namespace dmtcp {

// Everything a kind sees: the processes (with their images) and the shared memory
// objects PrepareSharedMemory filled (a deleted file mapped shared is one of them).
struct Computation {
  const std::vector<img::ImageIndex>& images;
  std::vector<ProcessToRestore>& procs;  // procs[i] restores images[i]
  const SharedObjects& shared_memory;
  RestartMeeting* meeting;  // the other hosts' dmtcp_restarts; null when not told
};

struct ResourceKind {
  const char* name;
  absl::Status (*share)(Computation& c);
};

// Runs every kind in the table's order; stops at the first that fails.
absl::Status ShareResources(Computation& c);

// Helpers the kinds share.
void Warn(const std::string& what);  // "dmtcp_restart: warning: <what>" on stderr
bool EndsWith(const std::string& s, const std::string& suffix);

}  // namespace dmtcp

#endif  // CORE_RESTART_RESOURCE_KIND_H
