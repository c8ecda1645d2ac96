// memory.h - writing the process's memory areas into an image.
#ifndef CORE_RUNTIME_MEMORY_H
#define CORE_RUNTIME_MEMORY_H

#include <stdint.h>

#include "core/image/writer.h"

namespace rt {

// Scratch the memory writer needs (maps text, page tables, a bounce buffer).
struct MemoryScratch {
  char* maps;
  uint64_t maps_size;
  uint64_t* pagemap;    // kPagemapBatch entries
  char* bounce;         // IMG_CHUNK_MAX bytes
  uint64_t skip_start, skip_end;  // the checkpoint's own scratch: not saved
  bool vm_readv_works;            // set by WriteMemoryAreas
};

constexpr uint64_t kPagemapBatch = 4096;

// Writes an AREA record and its data for every mapping in /proc/self/maps. Returns 0
// or -errno; -ENOSPC-like errors come from the writer.
int WriteMemoryAreas(img::ImageWriter* writer, MemoryScratch* scratch);

}  // namespace rt

#endif  // CORE_RUNTIME_MEMORY_H
