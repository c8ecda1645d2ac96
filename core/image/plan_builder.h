// plan_builder.h - turning a validated image into the restorer's plan (plan.h).
#ifndef CORE_IMAGE_PLAN_BUILDER_H
#define CORE_IMAGE_PLAN_BUILDER_H

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/image/reader.h"

namespace img {

struct RestorePlan {
  std::string bytes;                   // what the restorer reads
  std::vector<const ChunkRef*> streamed;  // compressed chunks, in the order to stream them
  uint64_t data_bytes = 0;                // raw bytes of all chunks
};

// Areas in address order (overlaps are an error), chunks in stream order.
// `shared_fds[i]` is the descriptor through which image.areas[i] is mapped from a shared
// object dmtcp_restart filled (-1: restored from the image as usual); empty: none.
absl::StatusOr<RestorePlan> BuildRestorePlan(const ImageIndex& image, uint64_t want_pid,
                                             const std::vector<int>& shared_fds = {});

}  // namespace img

#endif  // CORE_IMAGE_PLAN_BUILDER_H
