// path_mapping.h - DMTCP's pathvirt: with dmtcp_launch --pathvirt, paths under a
// "virtual" prefix reach the files under a "physical" one, both given as
// DMTCP_PATH_MAPPING="virtual:physical[;virtual:physical...]". The program keeps
// using the virtual paths; a restart may give a new mapping (dmtcp_restart's own
// DMTCP_PATH_MAPPING), so a computation moves to a machine where its files live
// elsewhere. Applied by every path wrapper (proc_path_wrappers.cc); allocation-free.
#ifndef CORE_RUNTIME_PATH_MAPPING_H
#define CORE_RUNTIME_PATH_MAPPING_H

#include <stddef.h>

namespace rt {

// Replaces the mapping with the one in `text` (null or empty: none).
void SetPathMapping(const char* text);

// `path` with a mapped prefix replaced, in `buf` (room for `size` bytes); `path`
// itself when no prefix applies. `readable_prefix(n)` says whether n bytes of `path`
// may be read (a path the kernel would refuse must reach it untouched).
const char* MapPath(const char* path, char* buf, size_t size, bool (*readable)(const char*, size_t));

}  // namespace rt

#endif  // CORE_RUNTIME_PATH_MAPPING_H
