/* delayed_checkpoint: a program that must not be checkpointed in the middle of a
 * critical section (here: two writes that belong together), and one that asks for
 * its own checkpoint.
 *
 *   delayed_checkpoint SECTIONS [--checkpoint-at N]
 *
 * Each section is dmtcp_disable_ckpt(), "begin i", 200 ms of work, "end i",
 * dmtcp_enable_ckpt(), then a short pause. A checkpoint asked for meanwhile (by
 * dmtcp_command) waits for dmtcp_enable_ckpt(). The checkpoint generation tells the
 * program whether one happened: inside a section it must never change. With
 * --checkpoint-at N the program calls dmtcp_checkpoint() itself after section N and
 * says whether it came back from the checkpoint or from a restart.
 * Exit code: 0, or 1 if a checkpoint fell inside a section.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dmtcp.h"

static void pause_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&t, &t) != 0) {
  }
}

int main(int argc, char **argv) {
  int sections = argc > 1 ? atoi(argv[1]) : 20;
  int checkpoint_at = argc > 3 && strcmp(argv[2], "--checkpoint-at") == 0 ? atoi(argv[3]) : -1;
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (!dmtcp_is_enabled()) printf("not running under dmtcp_launch: nothing to delay\n");

  unsigned seen = dmtcp_get_generation ? dmtcp_get_generation() : 0;
  for (int i = 1; i <= sections; i++) {
    dmtcp_disable_ckpt();
    unsigned before = dmtcp_get_generation ? dmtcp_get_generation() : 0;
    printf("begin %d\n", i);
    pause_ms(200);
    printf("end %d\n", i);
    unsigned after = dmtcp_get_generation ? dmtcp_get_generation() : 0;
    dmtcp_enable_ckpt();
    if (after != before) {
      printf("CHECKPOINT INSIDE section %d\n", i);
      return 1;
    }
    if (before != seen) printf("checkpoint %u came between sections\n", before);
    seen = before;
    if (i == checkpoint_at) {
      int r = dmtcp_checkpoint();
      printf("%s\n", r == DMTCP_AFTER_CHECKPOINT ? "after checkpoint"
                     : r == DMTCP_AFTER_RESTART  ? "after restart"
                                                 : "no checkpoint: not under dmtcp");
      seen = dmtcp_get_generation ? dmtcp_get_generation() : 0;
    }
    pause_ms(20);
  }
  printf("done: %d sections\n", sections);
  return 0;
}
