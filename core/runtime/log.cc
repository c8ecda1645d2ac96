#include "core/runtime/log.h"

#include <fcntl.h>
#include <stdarg.h>

#include "core/common/fmt.h"
#include "core/common/raw_syscalls.h"

namespace rt {

bool g_trace_enabled = false;
static char g_log_file[4096];

void LogToFile(const char* path) {
  fmt_format(g_log_file, sizeof g_log_file, "%s", path != nullptr ? path : "");
  if (g_log_file[0] == '\0') return;
  long fd = sys::open(g_log_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd >= 0) sys::close((int)fd);  // there from the start, even if nothing is said
}

static void Emit(const char* kind, const char* fmt, va_list ap) {
  char line[1024];
  size_t n = fmt_format(line, sizeof line, "[dmtcp %ld] %s", sys::getpid(), kind);
  n += fmt_vformat(line + n, sizeof line - n - 1, fmt, ap);
  line[n++] = '\n';
  sys::write(2, line, n);
  if (g_log_file[0] == '\0') return;
  // Opened for each line: no descriptor of ours for the program to meet or close.
  long fd = sys::open(g_log_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  sys::write((int)fd, line, n);
  sys::close((int)fd);
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
