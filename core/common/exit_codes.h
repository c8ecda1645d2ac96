// exit_codes.h - how our commands end when they, not the program they run, fail.
#ifndef CORE_COMMON_EXIT_CODES_H
#define CORE_COMMON_EXIT_CODES_H

#include <string_view>

#include "absl/status/status.h"

namespace dmtcp {

inline constexpr int kDefaultFailRc = 99;

// The exit code for our own failures: $DMTCP_FAIL_RC if it is a number, else 99.
int FailRc();

// Prints "<program>: <message>" on one line to stderr and exits with FailRc().
[[noreturn]] void Fail(std::string_view message);
[[noreturn]] void Fail(const absl::Status& status);

// The name Fail() prints; set once from main (argv[0]'s basename).
void SetProgramName(std::string_view argv0);
const char* ProgramName();

}  // namespace dmtcp

#endif  // CORE_COMMON_EXIT_CODES_H
