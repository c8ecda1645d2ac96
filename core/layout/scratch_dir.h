// Where the tools put scratch files: $DMTCP_TMPDIR, else $TMPDIR, else /tmp.
#ifndef CORE_LAYOUT_SCRATCH_DIR_H
#define CORE_LAYOUT_SCRATCH_DIR_H

#include <string>

namespace dmtcp {

std::string ScratchDir();

}  // namespace dmtcp

#endif  // CORE_LAYOUT_SCRATCH_DIR_H
