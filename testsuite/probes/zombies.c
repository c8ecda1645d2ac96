// zombies GO_FILE: children that exit before the checkpoint and are reaped only after
// the restart. One exits with 23, one is killed by SIGTERM; the parent blocks SIGCHLD
// meanwhile (so it is pending at the checkpoint) and keeps counting.
// Prints "ready" once both are zombies; after GO_FILE exists it reaps them, checks
// their statuses and that SIGCHLD arrives once unblocked, prints "zombies ok" and
// exits 0.
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "probe_util.h"

static volatile sig_atomic_t sigchld;

static void on_sigchld(int sig) { sigchld++; }

// Whether `pid` has exited, without reaping it.
static int exited(pid_t pid) {
  siginfo_t info = {0};
  return waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

int main(int argc, char** argv) {
  const char* go = argc > 1 ? argv[1] : "go";
  signal(SIGCHLD, on_sigchld);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  const pid_t quits = fork();
  if (quits == 0) _exit(23);
  const pid_t killed = fork();
  if (killed == 0) {
    for (;;) pause();
  }
  kill(killed, SIGTERM);
  while (!exited(quits) || !exited(killed)) usleep(1000);
  SAY("ready");
  unsigned long ticks = 0;
  while (access(go, F_OK) != 0) {
    ticks++;
    usleep(1000);
  }
  int status;
  if (waitpid(quits, &status, 0) != quits || !WIFEXITED(status) || WEXITSTATUS(status) != 23) {
    SAY("zombies FAILED: child %d: waitpid status %#x, expected exit 23", (int)quits, status);
    return 1;
  }
  if (waitpid(killed, &status, 0) != killed || !WIFSIGNALED(status) || WTERMSIG(status) != SIGTERM) {
    SAY("zombies FAILED: child %d: waitpid status %#x, expected SIGTERM", (int)killed, status);
    return 1;
  }
  sigprocmask(SIG_UNBLOCK, &chld, NULL);
  if (sigchld == 0) {
    SAY("zombies FAILED: no SIGCHLD after unblocking it");
    return 1;
  }
  if (wait(&status) != -1) {
    SAY("zombies FAILED: a third child appeared");
    return 1;
  }
  SAY("zombies ok after %lu ticks", ticks);
  return 0;
}
