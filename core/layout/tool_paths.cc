#include "core/layout/tool_paths.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/arch.h"
#include "core/image/arch_names.h"

namespace dmtcp {

std::string ToolDir() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  std::string exe(buf, static_cast<size_t>(n));
  size_t slash = exe.rfind('/');
  return slash == std::string::npos ? "." : exe.substr(0, slash);
}

std::string SiblingPath(const std::string& name) { return ToolDir() + "/" + name; }

std::string Absolute(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  char cwd[PATH_MAX];
  if (getcwd(cwd, sizeof cwd) == nullptr) return path;
  return path.empty() || path == "." ? std::string(cwd) : std::string(cwd) + "/" + path;
}

std::string MakeDirs(const std::string& dir, mode_t mode) {
  for (size_t slash = 1; slash != std::string::npos;) {
    slash = dir.find('/', slash + 1);
    const std::string prefix = dir.substr(0, slash);
    if (mkdir(prefix.c_str(), mode) != 0 && errno != EEXIST) {
      return prefix + ": " + strerror(errno);
    }
  }
  struct stat st;
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return dir + " is not a directory";
  return "";
}

namespace {

bool Exists(const std::string& path) { return access(path.c_str(), R_OK) == 0; }
std::string IfExists(const std::string& path) { return Exists(path) ? path : ""; }

// PREFIX if the tools run from PREFIX/bin of an install, else "".
std::string InstallPrefix() {
  const std::string dir = ToolDir();
  const size_t slash = dir.rfind('/');
  if (slash == std::string::npos || dir.substr(slash) != "/bin") return "";
  const std::string prefix = dir.substr(0, slash);
  const img::ArchFacts* own = img::FindArch(ARCH_ID);
  if (own == nullptr || !Exists(prefix + "/lib/" + own->triple + "/dmtcp/libdmtcp.so")) return "";
  return prefix;
}

}  // namespace

ArchFiles FilesForArch(uint32_t arch) {
  const std::string prefix = InstallPrefix();
  const img::ArchFacts* facts = img::FindArch(arch);
  if (!prefix.empty() && facts != nullptr) {
    const std::string dir = prefix + "/lib/" + facts->triple + "/dmtcp/";
    if (Exists(dir + "libdmtcp.so") && Exists(dir + "dmtcp_restorer")) {
      return {dir + "libdmtcp.so", dir + "dmtcp_restorer", IfExists(dir + "dmtcp_restorer_interp")};
    }
    return {};
  }
  if (arch == ARCH_ID) {
    return {SiblingPath("libdmtcp.so"), SiblingPath("dmtcp_restorer"),
            IfExists(SiblingPath("dmtcp_restorer_interp"))};
  }
  return {};
}

std::string PreloadValue(const std::string& library) {
  const std::string prefix = InstallPrefix();
  return prefix.empty() ? SiblingPath(library) : prefix + "/$LIB/dmtcp/" + library;
}

}  // namespace dmtcp
