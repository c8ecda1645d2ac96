// api: a program that knows it may run under a checkpointer, as DMTCP's dmtcp.h lets
// one: the functions are weak, so it also runs without us. It takes a checkpoint of
// itself with dmtcp_checkpoint(), which returns 1 in the process that goes on and 2 in
// a restarted one, and checks dmtcp_get_generation(): 0 before any checkpoint, then the
// number of the checkpoint, in both lives.
// Prints "checkpointed generation N" and waits to be killed; restarted, prints
// "restarted generation N" and "api ok" (exit 0). After the restart it also asks the
// calls plugins use: the checkpoint signal, the computation id, its own path, the
// runtime's descriptors, pid translation and the wrapper's checkpoint hold-off.
#include <string.h>
#include <sys/types.h>

#include "probe_util.h"

int dmtcp_is_enabled(void) __attribute__((weak));
int dmtcp_checkpoint(void) __attribute__((weak));
unsigned dmtcp_get_generation(void) __attribute__((weak));
int dmtcp_disable_ckpt(void) __attribute__((weak));
int dmtcp_enable_ckpt(void) __attribute__((weak));
int dmtcp_get_ckpt_signal(void) __attribute__((weak));
const char* dmtcp_get_computation_id_str(void) __attribute__((weak));
const char* dmtcp_get_executable_path(void) __attribute__((weak));
int dmtcp_is_protected_fd(int fd) __attribute__((weak));
pid_t dmtcp_pid_virtual_to_real(pid_t pid) __attribute__((weak));
pid_t dmtcp_pid_real_to_virtual(pid_t pid) __attribute__((weak));
int dmtcp_plugin_disable_ckpt(void) __attribute__((weak));
void dmtcp_plugin_enable_ckpt(void) __attribute__((weak));

// The calls plugins use, after a restart; 1 if all answered as they should.
static int plugin_calls_ok(void) {
  if (!dmtcp_get_ckpt_signal || !dmtcp_get_computation_id_str || !dmtcp_get_executable_path ||
      !dmtcp_is_protected_fd || !dmtcp_pid_virtual_to_real || !dmtcp_pid_real_to_virtual ||
      !dmtcp_plugin_disable_ckpt || !dmtcp_plugin_enable_ckpt) {
    SAY("api FAILED: a plugin call is not exported");
    return 0;
  }
  const char* id = dmtcp_get_computation_id_str();
  const char* exe = dmtcp_get_executable_path();
  const size_t exe_len = exe ? strlen(exe) : 0;
  const pid_t real = dmtcp_pid_virtual_to_real(getpid());
  SAY("signal %d, computation %s, path %s, protected 1021 %d 2 %d, pid %d is %d now",
      dmtcp_get_ckpt_signal(), id ? id : "(none)", exe ? exe : "(none)", dmtcp_is_protected_fd(1021),
      dmtcp_is_protected_fd(2), (int)getpid(), (int)real);
  if (dmtcp_get_ckpt_signal() <= 0 || id == NULL || id[0] == '\0' || exe_len < 4 ||
      strcmp(exe + exe_len - 4, "/api") != 0 || dmtcp_is_protected_fd(1021) != 1 ||
      dmtcp_is_protected_fd(2) != 0 || dmtcp_pid_real_to_virtual(real) != getpid()) {
    SAY("api FAILED: a plugin call answered wrong");
    return 0;
  }
  if (dmtcp_plugin_disable_ckpt() != 1) {
    SAY("api FAILED: dmtcp_plugin_disable_ckpt");
    return 0;
  }
  dmtcp_plugin_enable_ckpt();
  return 1;
}

int main(void) {
  if (!dmtcp_is_enabled || !dmtcp_checkpoint || !dmtcp_get_generation || !dmtcp_disable_ckpt ||
      !dmtcp_enable_ckpt) {
    SAY("api FAILED: the runtime does not export DMTCP's API");
    return 1;
  }
  if (dmtcp_is_enabled() != 1) {
    SAY("api FAILED: dmtcp_is_enabled() is %d", dmtcp_is_enabled());
    return 1;
  }
  const unsigned before = dmtcp_get_generation();
  if (before != 0) {
    SAY("api FAILED: generation %u before any checkpoint", before);
    return 1;
  }
  if (dmtcp_disable_ckpt() != 1 || dmtcp_enable_ckpt() != 1) {
    SAY("api FAILED: dmtcp_disable_ckpt/dmtcp_enable_ckpt");
    return 1;
  }
  const int r = dmtcp_checkpoint();
  const unsigned generation = dmtcp_get_generation();
  if (r == 1) {
    SAY("checkpointed generation %u", generation);
    for (;;) pause();
  }
  if (r != 2) {
    SAY("api FAILED: dmtcp_checkpoint() returned %d", r);
    return 1;
  }
  SAY("restarted generation %u", generation);
  if (generation != 1) {
    SAY("api FAILED: generation %u after the restart of checkpoint 1", generation);
    return 1;
  }
  if (!plugin_calls_ok()) return 1;
  SAY("api ok");
  return 0;
}
