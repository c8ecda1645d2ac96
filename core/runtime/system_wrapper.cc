// system(): glibc waits for its shell with an internal call to the kernel, which no
// wrapper sees. After a restart that gave the shell a new pid, that wait (restarted
// with the old one) fails with ECHILD and system() would report failure although the
// command ran. So system() is done here the way POSIX describes it, waiting through
// our waitpid, which knows the shell's new pid.
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/runtime/wrappers.h"


extern char** environ;

EXPORT int system(const char* command) {
  if (command == nullptr) return access("/bin/sh", X_OK) == 0;  // is there a shell?
  // As POSIX asks: SIGINT and SIGQUIT ignored and SIGCHLD blocked in the caller while
  // the shell runs; the shell starts with the caller's own dispositions and mask.
  struct sigaction ignore = {}, old_int, old_quit;
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGINT, &ignore, &old_int);
  sigaction(SIGQUIT, &ignore, &old_quit);
  sigset_t chld, old_mask;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, &old_mask);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  if (old_int.sa_handler != SIG_IGN) sigaddset(&defaults, SIGINT);
  if (old_quit.sa_handler != SIG_IGN) sigaddset(&defaults, SIGQUIT);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setsigmask(&attr, &old_mask);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  char* const argv[] = {const_cast<char*>("sh"), const_cast<char*>("-c"),
                        const_cast<char*>(command), nullptr};
  pid_t pid;
  int status = -1;
  if (posix_spawn(&pid, "/bin/sh", nullptr, &attr, argv, environ) == 0) {
    while (waitpid(pid, &status, 0) < 0) {  // ours: it follows the shell across a restart
      if (errno != EINTR) {
        status = -1;
        break;
      }
    }
  } else {
    status = 127 << 8;  // as if the shell could not run
  }
  posix_spawnattr_destroy(&attr);
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGQUIT, &old_quit, nullptr);
  sigprocmask(SIG_SETMASK, &old_mask, nullptr);
  return status;
}
