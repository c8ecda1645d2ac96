// tool_paths.h - where the installed pieces are: every tool, the preload library and
// the restorer sit in one directory, found from the running binary.
#ifndef CORE_TOOLS_TOOL_PATHS_H
#define CORE_TOOLS_TOOL_PATHS_H

#include <string>

namespace dmtcp {

// The directory holding the running executable.
std::string ToolDir();
// <ToolDir()>/<name>.
std::string SiblingPath(const std::string& name);
// `path` made absolute against the current directory.
std::string Absolute(const std::string& path);

}  // namespace dmtcp

#endif  // CORE_TOOLS_TOOL_PATHS_H
