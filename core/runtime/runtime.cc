// The preload library's start: when dmtcp_launch started this program (its settings
// are in the environment), install the checkpoint signal handler and start the
// checkpoint thread before main() runs. Otherwise do nothing at all.
#include <errno.h>
#include <pthread.h>

#include "core/api/dmtcp.h"

#include "core/common/fds.h"
#include "core/common/fmt.h"
#include "core/common/raw_syscalls.h"
#include "core/runtime/checkpoint_thread.h"
#include "core/runtime/config.h"
#include "core/runtime/exec_environment.h"
#include "core/runtime/exec_wrappers.h"
#include "core/runtime/hooks.h"
#include "core/runtime/log.h"
#include "core/runtime/pid_table.h"
#include "core/runtime/plugin_api.h"
#include "core/runtime/request_signal.h"
#include "core/runtime/signals.h"
#include "core/runtime/threads.h"
#include "core/runtime/wrappers.h"


extern char** environ;

namespace rt {
namespace {

// A forked child is a new process of the computation: it gets its own image name and
// its own checkpoint thread, whose connection replaces the parent's inherited one.
void AtForkChild() {
  SetVirtualPid(0);  // a new process: its pid is its own, in both worlds
  ForgetOtherThreads();
  NoteForeignThreads([](int) { return false; });  // an emulator recreates its own threads
  ExternalPluginEvent(DMTCP_EVENT_ATFORK_CHILD, false);
  fmt_format(g_config.uniq, sizeof g_config.uniq, "%s-%ld", g_config.uniq, sys::getpid());
  g_config.ckpt_number = 0;
  StartCheckpointThread();
}

__attribute__((constructor(RUNTIME_START_PRIORITY))) void StartRuntime() {
  if (!LoadConfig()) return;
  RememberExecEnvironment(environ);
  InitSignalWrappers();
  NoteEmulation();
  InstallCheckpointHandler();
  InstallCheckpointRequestSignal();
  StartAfterExec();
  NoteForeignThreads([](int) { return false; });  // only the caller runs the program yet
  pthread_atfork(nullptr, nullptr, AtForkChild);
  StartExternalPlugins();
  StartCheckpointThread();
}

}  // namespace
}  // namespace rt

// The runtime's descriptors stay open whatever the program closes: programs that
// close every descriptor they did not open (daemons, shells) would cut us off.
EXPORT int close(int fd) {
  if (fd >= FD_RUNTIME_LOWEST && fd <= FD_API && rt::g_config.active) return 0;
  long rc = sys::close(fd);
  if (rc < 0) {
    errno = (int)-rc;
    return -1;
  }
  return 0;
}
