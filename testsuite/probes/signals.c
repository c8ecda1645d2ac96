// signals GO_FILE: proves signal state and blocked system calls survive a restart.
//  - a SIGUSR1 handler installed at start must fire when raised after the restart;
//  - SIGTERM blocked at start must still be blocked (and a pending one stay pending);
//  - signals pending at the checkpoint stay pending: SIGHUP sent to the process and
//    SIGWINCH sent to one thread (both blocked everywhere), SIGWINCH on that thread;
//    real-time signals queued with a value keep it: SIGRTMIN+3 twice to the process
//    (333, 334), SIGRTMIN+4 to that thread (444);
//  - three threads sit in nanosleep, read and poll across the checkpoint; none may
//    see EINTR, and the reader must get the byte written after the restart.
// Prints "ready" once all three are blocked, then one line per check, and exits 0
// only if every check passed.
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "probe_util.h"

static volatile sig_atomic_t usr1_count;
static int pipe_fds[2];
static int poll_fds[2];
static volatile int blocked;
static int sleep_errors, read_errors, poll_errors;
static char read_byte;
static volatile int winch_pending_in_sleeper = -1;
static volatile int sleeper_queued_value = -1;

// The value of a queued `sig` pending for the caller, or -1 if none is.
static int take_queued(int sig) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  siginfo_t info;
  struct timespec zero = {0, 0};
  if (sigtimedwait(&set, &info, &zero) != sig || info.si_code != SI_QUEUE) return -1;
  return info.si_value.sival_int;
}

static void on_usr1(int sig) { usr1_count++; }

static void* sleeper(void* arg) {
  __atomic_fetch_add(&blocked, 1, __ATOMIC_SEQ_CST);
  for (int i = 0; i < 3; i++) {
    struct timespec ts = {1, 0};
    if (nanosleep(&ts, NULL) != 0) sleep_errors++;  // EINTR would land here
  }
  sigset_t pending;
  sigpending(&pending);
  winch_pending_in_sleeper = sigismember(&pending, SIGWINCH);
  sleeper_queued_value = take_queued(SIGRTMIN + 4);
  return NULL;
}

static void* reader(void* arg) {
  __atomic_fetch_add(&blocked, 1, __ATOMIC_SEQ_CST);
  ssize_t n = read(pipe_fds[0], &read_byte, 1);
  if (n != 1) read_errors++;
  return NULL;
}

static void* poller(void* arg) {
  __atomic_fetch_add(&blocked, 1, __ATOMIC_SEQ_CST);
  struct pollfd p = {poll_fds[0], POLLIN, 0};
  int n = poll(&p, 1, 60000);
  if (n != 1) poll_errors++;
  return NULL;
}

int main(int argc, char** argv) {
  const char* go = argc > 1 ? argv[1] : "go";
  signal(SIGUSR1, on_usr1);
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigaddset(&term, SIGHUP);
  sigaddset(&term, SIGWINCH);
  sigaddset(&term, SIGRTMIN + 3);
  sigaddset(&term, SIGRTMIN + 4);
  sigprocmask(SIG_BLOCK, &term, NULL);  // for every thread, created after this
  if (pipe(pipe_fds) != 0 || pipe(poll_fds) != 0) return 2;
  pthread_t t[3];
  pthread_create(&t[0], NULL, sleeper, NULL);
  pthread_create(&t[1], NULL, reader, NULL);
  pthread_create(&t[2], NULL, poller, NULL);
  while (__atomic_load_n(&blocked, __ATOMIC_SEQ_CST) < 3) usleep(1000);
  kill(getpid(), SIGHUP);
  pthread_kill(t[0], SIGWINCH);
  sigqueue(getpid(), SIGRTMIN + 3, (union sigval){.sival_int = 333});
  sigqueue(getpid(), SIGRTMIN + 3, (union sigval){.sival_int = 334});
  pthread_sigqueue(t[0], SIGRTMIN + 4, (union sigval){.sival_int = 444});
  usleep(100 * 1000);
  SAY("ready");
  wait_for_file(go);

  int ok = 1;
  raise(SIGUSR1);
  SAY("handler fired %d time(s)", (int)usr1_count);
  ok &= usr1_count == 1;

  sigset_t now;
  sigprocmask(SIG_BLOCK, NULL, &now);
  int still_blocked = sigismember(&now, SIGTERM);
  raise(SIGTERM);  // blocked: stays pending instead of killing us
  sigset_t pending;
  sigpending(&pending);
  SAY("SIGTERM blocked %s, pending after raise %s", still_blocked ? "yes" : "NO",
      sigismember(&pending, SIGTERM) ? "yes" : "NO");
  ok &= still_blocked && sigismember(&pending, SIGTERM);

  if (write(pipe_fds[1], "x", 1) != 1 || write(poll_fds[1], "y", 1) != 1) ok = 0;
  for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
  SAY("pending across the checkpoint: SIGHUP %s, SIGWINCH on its thread %s, not on main %s",
      sigismember(&pending, SIGHUP) ? "yes" : "NO", winch_pending_in_sleeper == 1 ? "yes" : "NO",
      sigismember(&pending, SIGWINCH) ? "NO" : "yes");
  const int first = take_queued(SIGRTMIN + 3), second = take_queued(SIGRTMIN + 3);
  SAY("queued values across the checkpoint: %d %d, on its thread %d", first, second,
      sleeper_queued_value);
  const int kept_pending = sigismember(&pending, SIGHUP) && winch_pending_in_sleeper == 1 &&
                           !sigismember(&pending, SIGWINCH) && first == 333 &&
                           second == 334 && sleeper_queued_value == 444;
  SAY("nanosleep errors %d, read errors %d (byte '%c'), poll errors %d", sleep_errors,
      read_errors, read_byte ? read_byte : '?', poll_errors);
  ok &= sleep_errors == 0 && read_errors == 0 && read_byte == 'x' && poll_errors == 0 && kept_pending;
  SAY("%s", ok ? "signals ok" : "SIGNALS FAILED");
  return ok ? 0 : 1;
}
