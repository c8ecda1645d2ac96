#include "core/restart/cpu_check.h"

#include <cstdlib>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_split.h"
#include "arch/arch.h"
#include "core/common/env_names.h"

namespace dmtcp {

std::vector<std::string> MissingCpuFeatures(absl::string_view recorded, absl::string_view present) {
  absl::flat_hash_set<absl::string_view> have;
  for (absl::string_view name : absl::StrSplit(present, ' ', absl::SkipEmpty())) have.insert(name);
  std::vector<std::string> missing;
  for (absl::string_view name : absl::StrSplit(recorded, ' ', absl::SkipEmpty())) {
    if (!have.contains(name)) missing.emplace_back(name);
  }
  return missing;
}

std::string PresentCpuFeatures() {
  if (const char* pretend = getenv(ENV_CPU_FEATURES); pretend != nullptr) return pretend;
  char features[4096];
  arch_cpu_features(features, sizeof features);
  return features;
}

}  // namespace dmtcp
