#include "core/runtime/remote_shell.h"

#include <string.h>

#include "core/runtime/config.h"

namespace rt {

const char* RemoteShellExec(const char* file, char* const* argv, char** out, size_t cap) {
  if (file == nullptr || argv == nullptr || argv[0] == nullptr || g_config.ssh_helper[0] == '\0') {
    return nullptr;
  }
  const char* slash = strrchr(file, '/');
  const char* name = slash != nullptr ? slash + 1 : file;
  if (strcmp(name, "ssh") != 0 && strcmp(name, "rsh") != 0) return nullptr;
  if (strcmp(g_config.prog, "dmtcp_ssh") == 0) return nullptr;  // it runs the real one
  size_t n = 0;
  out[n++] = g_config.ssh_helper;
  out[n++] = const_cast<char*>(file);
  for (size_t i = 1; argv[i] != nullptr; i++) {
    if (n + 1 >= cap) return nullptr;
    out[n++] = argv[i];
  }
  out[n] = nullptr;
  return g_config.ssh_helper;
}

}  // namespace rt
