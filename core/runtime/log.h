// log.h - messages from inside the application: one line each, straight to stderr
// with write(2), safe while other threads are frozen (no stdio, no malloc).
#ifndef CORE_RUNTIME_LOG_H
#define CORE_RUNTIME_LOG_H

namespace rt {

// Always shown: something the user must know (a resource not restored, a failure).
void Warn(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// Shown with DMTCP_DEBUG=1 or DMTCP_LOG_LEVEL=trace (or 3).
void Trace(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

extern bool g_trace_enabled;

// Every message also goes to `path` (DMTCP_LOG_FILE), created now.
void LogToFile(const char* path);

}  // namespace rt

#endif  // CORE_RUNTIME_LOG_H
