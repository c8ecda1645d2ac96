/*
 * dmtcp_nocheckpoint program [args...]
 *
 * Runs program outside checkpoint control, from inside a computation (DMTCP's tool of
 * the same name): our library and the plugins loaded with it leave LD_PRELOAD (what
 * the user preloads stays), every DMTCP_* setting leaves the environment, and the
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

/* Whether an LD_PRELOAD entry is our runtime (libdmtcp.so, wherever installed). */
static int IsOurs(const char* entry, size_t len) {
  static const char kName[] = "libdmtcp.so";
  const size_t n = sizeof kName - 1;
  return len >= n && memcmp(entry + len - n, kName, n) == 0 && (len == n || entry[len - n - 1] == '/');
}

/* Whether an LD_PRELOAD entry is one of the plugins dmtcp_launch loaded ($DMTCP_PLUGIN). */
static int IsPlugin(const char* entry, size_t len) {
  const char* plugins = getenv("DMTCP_PLUGIN");
  for (const char* p = plugins; p != NULL && *p != '\0';) {
    const size_t n = strcspn(p, ":");
    if (n == len && memcmp(p, entry, n) == 0) return 1;
    p += n;
    if (*p != '\0') p++;
  }
  return 0;
}

/* LD_PRELOAD without our runtime and plugins; unset when nothing else was in it. */
static void DropOurPreload(void) {
  const char* value = getenv("LD_PRELOAD");
  if (value == NULL) return;
  char* kept = malloc(strlen(value) + 1);
  if (kept == NULL) return;
  size_t used = 0;
  for (const char* p = value; *p != '\0';) {
    const size_t len = strcspn(p, ": ");
    if (len > 0 && !IsOurs(p, len) && !IsPlugin(p, len)) {
      if (used > 0) kept[used++] = ':';
      memcpy(kept + used, p, len);
      used += len;
    }
    p += len;
    if (*p != '\0') p++;
  }
  kept[used] = '\0';
  if (used == 0) {
    unsetenv("LD_PRELOAD");
  } else {
    setenv("LD_PRELOAD", kept, 1);
  }
  free(kept);
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
  DropOurPreload();
  DropOurSettings();
  for (int fd = FD_RUNTIME_LOWEST; fd <= FD_COORD; fd++) close(fd);
  execvp(argv[1], argv + 1);
  fprintf(stderr, "dmtcp_nocheckpoint: cannot run '%s': %s\n", argv[1], strerror(errno));
  return fail_rc;
}
