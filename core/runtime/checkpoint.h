// checkpoint.h - writing this process's image, and coming back from one.
#ifndef CORE_RUNTIME_CHECKPOINT_H
#define CORE_RUNTIME_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "core/image/format.h"
#include "core/image/restart_block.h"

namespace rt {

enum class CheckpointOutcome {
  kWritten,    // the image is on disk (or failed: see error)
  kRestarted,  // we are a restored process, resuming from this very checkpoint
};

struct CheckpointResult {
  int error;  // 0 or -errno
  char image[IMG_PATH_MAX];
  uint64_t bytes;
};

// With every other thread suspended: writes ckpt_<prog>_<uniq>.dmtcp into `dir`, one
// of `processes` images of checkpoint `number` of the computation (0: not told).
// Returns a second time, with kRestarted, in a process restored from that image.
CheckpointOutcome TakeCheckpoint(uint64_t number, uint64_t processes, const char* dir,
                                 CheckpointResult* result);

// Saved at checkpoint time, in memory the image carries.
extern struct img_process g_process_state;
extern struct restart_block g_restart_block;

}  // namespace rt

#endif  // CORE_RUNTIME_CHECKPOINT_H
