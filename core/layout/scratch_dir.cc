#include "core/layout/scratch_dir.h"

#include <stdlib.h>

#include "core/common/env_names.h"

namespace dmtcp {

std::string ScratchDir() {
  for (const char* name : {ENV_TMPDIR, "TMPDIR"}) {
    const char* dir = getenv(name);
    if (dir != nullptr && *dir != '\0') return dir;
  }
  return "/tmp";
}

}  // namespace dmtcp
