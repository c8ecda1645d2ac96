// api: a program that knows it may run under a checkpointer, as DMTCP's dmtcp.h lets
// one: the functions are weak, so it also runs without us. It takes a checkpoint of
// itself with dmtcp_checkpoint(), which returns 1 in the process that goes on and 2 in
// a restarted one, and checks dmtcp_get_generation(): 0 before any checkpoint, then the
// number of the checkpoint, in both lives.
// Prints "checkpointed generation N" and waits to be killed; restarted, prints
// "restarted generation N" and "api ok" (exit 0).
#include "probe_util.h"

int dmtcp_is_enabled(void) __attribute__((weak));
int dmtcp_checkpoint(void) __attribute__((weak));
unsigned dmtcp_get_generation(void) __attribute__((weak));
int dmtcp_disable_ckpt(void) __attribute__((weak));
int dmtcp_enable_ckpt(void) __attribute__((weak));

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
  SAY("api ok");
  return 0;
}
