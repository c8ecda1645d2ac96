// spawn COUNT [system]: children started every way a program starts them, one after
// another: vfork then exec, posix_spawn, fork then exec, and with "system", system()
// (through /bin/sh). Each child is this program run as "spawn print N", which prints
// N (after 30 ms when started by system(), so that checkpoints catch system() and its
// shell waiting); the parent waits for it before the next. The output must be 1..COUNT in order,
// whatever checkpoints and restarts happen meanwhile; "spawn done" ends it.
#define _GNU_SOURCE
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>

#include "probe_util.h"

extern char** environ;

int main(int argc, char** argv) {
  if (argc >= 3 && strcmp(argv[1], "print") == 0) {
    if (argc > 3) usleep(30 * 1000);  // "slow": long enough for checkpoints to catch it
    SAY("%s", argv[2]);
    return 0;
  }
  if (argc < 2) return 2;
  const long count = atol(argv[1]);
  const int with_system = argc > 2 && strcmp(argv[2], "system") == 0;
  char self[4096];
  ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
  if (len <= 0) return 2;
  self[len] = '\0';
  for (long n = 1; n <= count; n++) {
    char number[32];
    snprintf(number, sizeof number, "%ld", n);
    char* child_argv[] = {self, (char*)"print", number, NULL};
    pid_t pid = -1;
    int status = 0;
    switch (n % (with_system ? 4 : 3)) {
      case 0:
        pid = vfork();
        if (pid == 0) {
          execv(self, child_argv);
          _exit(127);
        }
        break;
      case 1:
        if (posix_spawn(&pid, self, NULL, NULL, child_argv, environ) != 0) pid = -1;
        break;
      case 2:
        pid = fork();
        if (pid == 0) {
          execv(self, child_argv);
          _exit(127);
        }
        break;
      default: {
        char command[4200];
        snprintf(command, sizeof command, "'%s' print %ld slow", self, n);
        status = system(command);
        break;
      }
    }
    if (pid > 0 && waitpid(pid, &status, 0) != pid) {
      SAY("spawn FAILED: waitpid for child %ld", n);
      return 1;
    }
    if (pid < 0 && n % (with_system ? 4 : 3) != 3) {
      SAY("spawn FAILED: cannot start child %ld", n);
      return 1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      SAY("spawn FAILED: child %ld ended with status %#x", n, status);
      return 1;
    }
    usleep(2000);
  }
  SAY("spawn done");
  return 0;
}
