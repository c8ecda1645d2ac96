// cpu_check.h - is this CPU enough for an image? A program's libraries pick their code
// by the CPU's features once, at startup (glibc's ifuncs: memcpy with AVX-512, say);
// restored on a CPU without one of them, it dies of an illegal instruction at some
// later moment. The image records the features of the CPU it started on (IMG_REC_CPU);
// a restart lacking any of them is refused with their names.
#ifndef CORE_RESTART_CPU_CHECK_H
#define CORE_RESTART_CPU_CHECK_H

#include <string>
#include "absl/strings/string_view.h"
#include <vector>

namespace dmtcp {

// The names in `recorded` that `present` lacks (both space-separated), in order.
std::vector<std::string> MissingCpuFeatures(absl::string_view recorded, absl::string_view present);

// This CPU's features (arch_cpu_features), or $DMTCP_CPU_FEATURES where set: what
// another machine reports, to check images against it before moving them there.
std::string PresentCpuFeatures();

}  // namespace dmtcp

#endif  // CORE_RESTART_CPU_CHECK_H
