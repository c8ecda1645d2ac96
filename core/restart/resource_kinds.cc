#include <cstdio>

#include "core/common/exit_codes.h"
#include "core/restart/resource_kind.h"

namespace dmtcp {

// Defined each in its own file of kinds/.
extern const ResourceKind kFiles, kPipes, kSockets, kTerminals, kMqueues, kSysv;

namespace {
// Files first: a file recreated from its saved state must exist before any descriptor
// (or FIFO) of it is opened again.
const ResourceKind* const kKinds[] = {&kFiles, &kPipes, &kSockets, &kTerminals, &kMqueues, &kSysv};
}  // namespace

absl::Status ShareResources(Computation& c) {
  for (const ResourceKind* kind : kKinds) {
    absl::Status s = kind->share(c);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

void Warn(const std::string& what) {
  fprintf(stderr, "%s: warning: %s\n", ProgramName(), what.c_str());
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace dmtcp
