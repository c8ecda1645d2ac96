#include "core/runtime/path_mapping.h"

#include <string.h>

#include "core/common/fmt.h"
#include "core/runtime/log.h"

namespace rt {
namespace {

constexpr int kMaxMappings = 16;
constexpr size_t kPrefixMax = 1024;

struct Mapping {
  char from[kPrefixMax];
  char to[kPrefixMax];
  size_t from_len;
};

Mapping g_mappings[kMaxMappings];
int g_count;

// Copies [s, s + n) into `out` (room for kPrefixMax), without a trailing '/'.
bool CopyPrefix(char* out, const char* s, size_t n) {
  while (n > 1 && s[n - 1] == '/') n--;
  if (n == 0 || n >= kPrefixMax) return false;
  memcpy(out, s, n);
  out[n] = '\0';
  return true;
}

}  // namespace

void SetPathMapping(const char* text) {
  g_count = 0;
  for (const char* p = text; p != nullptr && *p != '\0';) {
    const size_t len = strcspn(p, ";");
    const char* colon = static_cast<const char*>(memchr(p, ':', len));
    Mapping& m = g_mappings[g_count];
    if (colon == nullptr || g_count == kMaxMappings || !CopyPrefix(m.from, p, (size_t)(colon - p)) ||
        !CopyPrefix(m.to, colon + 1, (size_t)(p + len - colon - 1))) {
      if (len > 0) Warn("DMTCP_PATH_MAPPING has an entry that is not virtual:physical; it is ignored");
    } else {
      m.from_len = strlen(m.from);
      Trace("path mapping %s -> %s", m.from, m.to);
      g_count++;
    }
    p += len;
    if (*p == ';') p++;
  }
}

const char* MapPath(const char* path, char* buf, size_t size, bool (*readable)(const char*, size_t)) {
  if (g_count == 0 || path == nullptr) return path;
  for (int i = 0; i < g_count; i++) {
    const Mapping& m = g_mappings[i];
    if (!readable(path, m.from_len + 1) || strncmp(path, m.from, m.from_len) != 0) continue;
    const char next = path[m.from_len];
    if (next != '/' && next != '\0') continue;
    const size_t n = fmt_format(buf, size, "%s%s", m.to, path + m.from_len);
    return n + 1 < size ? buf : path;
  }
  return path;
}

}  // namespace rt
