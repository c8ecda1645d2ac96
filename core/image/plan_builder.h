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
absl::StatusOr<RestorePlan> BuildRestorePlan(const ImageIndex& image, uint64_t want_pid);

}  // namespace img

#endif  // CORE_IMAGE_PLAN_BUILDER_H
