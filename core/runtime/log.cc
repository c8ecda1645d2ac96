#include "core/runtime/log.h"

#include <stdarg.h>

#include "core/common/fmt.h"
#include "core/common/raw_syscalls.h"

namespace rt {

bool g_trace_enabled = false;

static void Emit(const char* kind, const char* fmt, va_list ap) {
  char line[1024];
  size_t n = fmt_format(line, sizeof line, "[dmtcp %ld] %s", sys::getpid(), kind);
  n += fmt_vformat(line + n, sizeof line - n - 1, fmt, ap);
  line[n++] = '\n';
  sys::write(2, line, n);
}

void Warn(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  Emit("warning: ", fmt, ap);
  va_end(ap);
}

void Trace(const char* fmt, ...) {
  if (!g_trace_enabled) return;
  va_list ap;
  va_start(ap, fmt);
  Emit("", fmt, ap);
  va_end(ap);
}

}  // namespace rt
