/*
 * dmtcp_nocheckpoint program [args...]
 *
 * Runs program outside checkpoint control, from inside a computation (DMTCP's tool of
 * the same name): LD_PRELOAD is again what the user had at dmtcp_launch (our library
 * and plugins leave it), every DMTCP_* setting leaves the environment, and the
 * runtime's descriptors are closed, so the program never joins the coordinator and
 * checkpoints do not wait for it.
 * Linked statically: the runtime is not preloaded into this tool itself, so its exec
 * is not the runtime's (which would put our settings back).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/common/fds.h"

extern char** environ;

/* LD_PRELOAD as the user had it when dmtcp_launch ran ($DMTCP_ORIG_LD_PRELOAD), as
 * DMTCP's tool does: our runtime and plugins leave, and so does whatever the program
 * put there since. */
static void RestoreUserPreload(void) {
  const char* user = getenv("DMTCP_ORIG_LD_PRELOAD");
  if (user != NULL && user[0] != '\0') {
    setenv("LD_PRELOAD", user, 1);
  } else {
    unsetenv("LD_PRELOAD");
  }
}

static void DropOurSettings(void) {
  for (;;) {
    char** e = environ;
    while (*e != NULL && strncmp(*e, "DMTCP_", 6) != 0) e++;
    if (*e == NULL) return;
    const size_t len = strcspn(*e, "=");
    char name[256];
    if (len >= sizeof name) return;
    memcpy(name, *e, len);
    name[len] = '\0';
    unsetenv(name);
  }
}

/* $DMTCP_FAIL_RC if it is a number, else 99 (as the other tools). */
static int FailRc(void) {
  const char* rc = getenv("DMTCP_FAIL_RC");
  char* end = NULL;
  const long n = rc != NULL ? strtol(rc, &end, 10) : 0;
  return rc != NULL && *rc != '\0' && *end == '\0' && n > 0 && n < 256 ? (int)n : 99;
}

int main(int argc, char** argv) {
  const int fail_rc = FailRc();
  if (argc < 2 || strcmp(argv[1], "--help") == 0) {
    fputs("Usage: dmtcp_nocheckpoint program [args...]\n"
          "Runs program outside checkpoint control (from inside a computation).\n",
          argc < 2 ? stderr : stdout);
    return argc < 2 ? fail_rc : 0;
  }
  RestoreUserPreload();
  DropOurSettings();
  for (int fd = FD_RUNTIME_LOWEST; fd <= FD_COORD; fd++) close(fd);
  execvp(argv[1], argv + 1);
  fprintf(stderr, "dmtcp_nocheckpoint: cannot run '%s': %s\n", argv[1], strerror(errno));
  return fail_rc;
}
