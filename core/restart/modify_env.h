// modify_env.h - DMTCP's modify-env: a dmtcp_env.txt beside the images changes the
// restored processes' environment to suit the host they restart on (DISPLAY=$DISPLAY).
// Its lines: NAME=value (with $OTHER or ${OTHER} taken from dmtcp_restart's own
// environment), a bare NAME to unset it, blank lines and # comments. dmtcp_restart
// resolves the file; the runtime of a process launched with --modify-env applies it.
#ifndef CORE_RESTART_MODIFY_ENV_H
#define CORE_RESTART_MODIFY_ENV_H

#include <functional>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

namespace dmtcp {

inline constexpr char kModifyEnvFile[] = "dmtcp_env.txt";
inline constexpr char kModifyEnvSeparator = '\x1f';  // between entries on one info line

// "NAME=value" (expanded) or "NAME" (unset) per meaningful line of `text`.
std::vector<std::string> ParseModifyEnv(absl::string_view text,
                                        const std::function<const char*(const std::string&)>& lookup);

// The entries of <dir>/dmtcp_env.txt, expanded with this process's environment and
// joined by kModifyEnvSeparator; empty when there is no such file.
std::string ResolveModifyEnv(const std::string& dir);

}  // namespace dmtcp

#endif  // CORE_RESTART_MODIFY_ENV_H
