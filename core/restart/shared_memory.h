// shared_memory.h - memory mapped MAP_SHARED, restored once for all who share it.
//
// Processes that share memory (a MAP_SHARED|MAP_ANONYMOUS area inherited across fork,
// a memfd, a file mapped shared) must share it again after a restart, and its contents
// must be written exactly once: a restorer writing its copy while another restored
// process already runs would undo that process's work. So dmtcp_restart fills each
// shared object itself before any process starts (a memfd for anonymous memory, the
// file itself for a named one) and hands it to every process that maps it; restorers
// only map it. Objects are known by the device and inode /proc/<pid>/maps showed.
#ifndef CORE_RESTART_SHARED_MEMORY_H
#define CORE_RESTART_SHARED_MEMORY_H

#include <functional>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "core/image/reader.h"

namespace dmtcp {

// Each shared object dmtcp_restart filled, by the device and inode the maps showed:
// its descriptor in dmtcp_restart.
using SharedObjects = absl::flat_hash_map<std::pair<uint64_t, uint64_t>, int>;

struct SharedMemory {
  // For each image, for each of its areas: the descriptor number the restorer maps
  // that area from, or -1 (restored from its own chunks).
  std::vector<std::vector<int>> area_fds;
  // For each image: (descriptor in dmtcp_restart, number in the process).
  std::vector<std::vector<std::pair<int, int>>> give;
  SharedObjects objects;
};

// Calls fn(offset in the mapped object, bytes, length) for each stored chunk of `area`,
// decoded and checked.
absl::Status ForEachAreaChunk(
    const img::ImageIndex& image, const img::AreaInfo& area,
    const std::function<absl::Status(uint64_t offset, const char* data, size_t len)>& fn);

absl::StatusOr<SharedMemory> PrepareSharedMemory(const std::vector<img::ImageIndex>& images);

}  // namespace dmtcp

#endif  // CORE_RESTART_SHARED_MEMORY_H
