#include "core/runtime/request_signal.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#include "core/runtime/config.h"
#include "core/runtime/coordinator_command.h"
#include "core/runtime/log.h"
#include "core/runtime/signals.h"

namespace rt {
namespace {

// Runs in whichever thread the signal lands on, perhaps inside malloc or a lock: only
// raw system calls from here on (coordinator_command.h). A request while another is
// under way in this process is dropped: that one asks for the same checkpoint.
void OnRequestSignal(int) {
  const int saved = errno;
  struct msg_header reply;
  TryAskCoordinator(CMD_CHECKPOINT, &reply);
  errno = saved;
}

}  // namespace

void InstallCheckpointRequestSignal() {
  const int sig = g_config.request_signal;
  if (sig == 0) return;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = OnRequestSignal;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  if (RealSigaction(sig, &sa, nullptr) != 0) {
    Warn("cannot take signal %d for checkpoint requests (errno %d)", sig, errno);
    g_config.request_signal = 0;
  }
}

}  // namespace rt
