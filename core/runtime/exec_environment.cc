#include "core/runtime/exec_environment.h"

#include <string.h>

#include "core/common/env_names.h"
#include "core/common/fmt.h"

namespace rt {
namespace {

constexpr size_t kSettingsBytes = 32 * 1024;
constexpr int kMaxSettings = 64;

char g_settings[kSettingsBytes];  // "NAME=value\0" ..., the DMTCP_* entries at startup
char* g_setting[kMaxSettings];
int g_count;
char g_library[8192];  // LD_PRELOAD at startup up to this runtime: the plugins and it
char g_preload[8192];  // the LD_PRELOAD entry built for the last exec

// Whether an LD_PRELOAD entry of `len` bytes is our runtime, libdmtcp.so.
bool IsRuntime(const char* entry, size_t len) {
  static const char kName[] = "libdmtcp.so";
  const size_t n = sizeof kName - 1;
  return len >= n && memcmp(entry + len - n, kName, n) == 0 && (len == n || entry[len - n - 1] == '/');
}

bool StartsWith(const char* s, const char* prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

// The length of "NAME=" in an entry (0 if it has no '=').
size_t NameLength(const char* entry) {
  const char* eq = strchr(entry, '=');
  return eq == nullptr ? 0 : (size_t)(eq - entry) + 1;
}

const char* Find(char* const* envp, const char* entry, size_t name_len) {
  for (char* const* e = envp; e != nullptr && *e != nullptr; e++) {
    if (strncmp(*e, entry, name_len) == 0) return *e;
  }
  return nullptr;
}

}  // namespace

void RememberExecEnvironment(char* const* environ) {
  size_t used = 0;
  g_count = 0;
  for (char* const* e = environ; e != nullptr && *e != nullptr; e++) {
    if (StartsWith(*e, "LD_PRELOAD=")) {
      // Everything up to our runtime (plugins come before it), as dmtcp_launch set it.
      const char* value = *e + sizeof "LD_PRELOAD=" - 1;
      for (const char* p = value; *p != '\0';) {
        const size_t n = strcspn(p, ": ");
        if (IsRuntime(p, n) && (size_t)(p + n - value) < sizeof g_library) {
          memcpy(g_library, value, (size_t)(p + n - value));
          g_library[p + n - value] = '\0';
          break;
        }
        p += n;
        if (*p != '\0') p++;
      }
      continue;
    }
    if (!StartsWith(*e, "DMTCP_")) continue;
    const size_t n = strlen(*e) + 1;
    if (g_count == kMaxSettings || used + n > sizeof g_settings) break;
    g_setting[g_count++] = static_cast<char*>(memcpy(g_settings + used, *e, n));
    used += n;
  }
}

char* const* EnvironmentWithRuntime(char* const* envp, char** out, size_t cap) {
  const char* preload = Find(envp, "LD_PRELOAD=", sizeof "LD_PRELOAD=" - 1);
  const bool preload_ok = g_library[0] == '\0' ||
                          (preload != nullptr && strstr(preload, g_library) != nullptr);
  bool missing = !preload_ok;
  for (int i = 0; i < g_count && !missing; i++) {
    missing = Find(envp, g_setting[i], NameLength(g_setting[i])) == nullptr;
  }
  if (!missing) return envp;
  size_t count = 0;
  for (char* const* e = envp; e != nullptr && *e != nullptr; e++) {
    if (!preload_ok && *e == preload) continue;  // replaced below
    if (count + kMaxSettings + 2 >= cap) return envp;
    out[count++] = *e;
  }
  for (int i = 0; i < g_count; i++) {
    if (Find(envp, g_setting[i], NameLength(g_setting[i])) == nullptr) out[count++] = g_setting[i];
  }
  if (!preload_ok) {
    // Ours first; what the program asked for after it.
    const char* theirs = preload != nullptr ? preload + sizeof "LD_PRELOAD=" - 1 : "";
    fmt_format(g_preload, sizeof g_preload, "LD_PRELOAD=%s%s%s", g_library, theirs[0] ? ":" : "",
               theirs);
    out[count++] = g_preload;
  }
  out[count] = nullptr;
  return out;
}

}  // namespace rt
