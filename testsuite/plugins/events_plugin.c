// A plugin as a third party writes one, against the public dmtcp.h only: it logs the
// events it is given and the files the program opens (a wrapper around open() that
// calls the next definition with NEXT_FNC), one line each, to $EVENTS_PLUGIN_LOG, and
// waits at a global barrier before each checkpoint.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/api/dmtcp.h"

// Appends a line with raw system calls: this runs inside checkpoints and restarts.
static void Log(const char* what, const char* detail) {
  const char* path = getenv("EVENTS_PLUGIN_LOG");
  if (path == NULL) return;
  char line[512];
  int n = snprintf(line, sizeof line, "%s%s%s\n", what, detail[0] ? " " : "", detail);
  long fd = syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  if (write((int)fd, line, (size_t)n) < 0) {
  }
  close((int)fd);
}

int open(const char* path, int flags, ...) {
  mode_t mode = 0;
  if (flags & (O_CREAT | O_TMPFILE)) {
    va_list ap;
    va_start(ap, flags);
    mode = (mode_t)va_arg(ap, int);
    va_end(ap);
  }
  if (strstr(path, ".txt") != NULL || strstr(path, "/proc/self/fd/") != NULL) {
    const char* slash = strrchr(path, '/');
    Log("open", strncmp(path, "/proc/self/fd/", 14) == 0 ? path : (slash ? slash + 1 : path));
  }
  return NEXT_FNC(open)(path, flags, mode);
}

static void Hook(DmtcpEvent_t event, DmtcpEventData_t* data) {
  switch (event) {
    case DMTCP_EVENT_INIT: Log("init", ""); break;
    case DMTCP_EVENT_EXIT: Log("exit", ""); break;
    case DMTCP_EVENT_PRESUSPEND:
      Log("presuspend", "");
      dmtcp_global_barrier("events-plugin");
      Log("barrier passed", "");
      break;
    case DMTCP_EVENT_PRECHECKPOINT: Log("precheckpoint", ""); break;
    case DMTCP_EVENT_RESUME: Log("resume", ""); break;
    case DMTCP_EVENT_RESTART: Log("restart", ""); break;
    case DMTCP_EVENT_RUNNING:
      Log("running", data->resumeUserThreadInfo.isRestart ? "after restart" : "after checkpoint");
      break;
    default: break;
  }
}

static DmtcpPluginDescriptor_t events_plugin = {
    DMTCP_PLUGIN_API_VERSION, DMTCP_PACKAGE_VERSION, "events", "dmtcp-ng", "", "Logs events and opens", Hook};

DMTCP_DECL_PLUGIN(events_plugin);
