// tool_paths.h - where the installed pieces are: every tool, the preload library and
// the restorer sit in one directory, found from the running binary.
#ifndef CORE_LAYOUT_TOOL_PATHS_H
#define CORE_LAYOUT_TOOL_PATHS_H

#include <sys/types.h>

#include <string>

namespace dmtcp {

// The directory holding the running executable.
std::string ToolDir();
// <ToolDir()>/<name>.
std::string SiblingPath(const std::string& name);
// `path` made absolute against the current directory.
std::string Absolute(const std::string& path);

// Creates `dir` and its missing parents (like mkdir -p), as DMTCP does for --ckptdir;
// "" on success, else why not. Checkpoint directories are made kPrivateDir: the images
// and restart scripts in them are the user's alone.
constexpr mode_t kPrivateDir = 0700;
std::string MakeDirs(const std::string& dir, mode_t mode = 0777);

// The per-arch pieces: the preload runtime and the restorer. Found in one of two
// layouts:
//  - an install (ci/install PREFIX): tools in PREFIX/bin, and for each installed arch
//    PREFIX/lib/<triple>/dmtcp/{libdmtcp.so,dmtcp_restorer,dmtcp_restorer_interp}, so one set of tools
//    serves 64-bit and 32-bit programs alike;
//  - a build tree (bazel-bin/core/tools): everything side by side, for one arch.
struct ArchFiles {
  std::string runtime;
  std::string restorer;
  std::string restorer_interp;  // for emulated programs (emulated_restorer.h); may be empty
};
// Empty paths when `arch` is not available here.
ArchFiles FilesForArch(uint32_t arch);
// What LD_PRELOAD gets: in an install, PREFIX/$LIB/dmtcp/libdmtcp.so (ld.so puts each
// program's own arch directory in place of $LIB, so children of another arch get
// their own runtime); in a build tree, the runtime beside the tools. `library` names
// another library installed the same way (libdmtcp_cxx.so).
std::string PreloadValue(const std::string& library = "libdmtcp.so");

}  // namespace dmtcp

#endif  // CORE_LAYOUT_TOOL_PATHS_H
