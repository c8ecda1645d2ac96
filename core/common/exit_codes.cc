#include "core/common/exit_codes.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/numbers.h"
#include "core/common/env_names.h"

namespace dmtcp {
namespace {
std::string& program_name() {
  static std::string* name = new std::string("dmtcp");
  return *name;
}
}  // namespace

int FailRc() {
  const char* value = std::getenv(ENV_FAIL_RC);
  int rc;
  if (value != nullptr && absl::SimpleAtoi(value, &rc) && rc >= 0 && rc <= 255) return rc;
  return kDefaultFailRc;
}

void SetProgramName(std::string_view argv0) {
  size_t slash = argv0.rfind('/');
  program_name() = std::string(slash == std::string_view::npos ? argv0 : argv0.substr(slash + 1));
}

const char* ProgramName() { return program_name().c_str(); }

void Fail(std::string_view message) {
  std::fprintf(stderr, "%s: %.*s\n", ProgramName(), static_cast<int>(message.size()),
               message.data());
  std::fflush(stderr);
  std::exit(FailRc());
}

void Fail(const absl::Status& status) {
  Fail(std::string_view(status.message().data(), status.message().size()));
}

}  // namespace dmtcp
