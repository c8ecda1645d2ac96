// log.h - messages from inside the application: one line each, straight to stderr
// with write(2), safe while other threads are frozen (no stdio, no malloc).
#ifndef CORE_RUNTIME_LOG_H
#define CORE_RUNTIME_LOG_H

namespace rt {

// Always shown: something the user must know (a resource not restored, a failure).
void Warn(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// Shown with DMTCP_DEBUG=1.
void Trace(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

extern bool g_trace_enabled;

}  // namespace rt

#endif  // CORE_RUNTIME_LOG_H
