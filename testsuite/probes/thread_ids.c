// thread_ids COUNT: glibc keeps a thread's id in its descriptor and uses it in two
// ways that a restart giving threads new ids must both keep working: as the owner of
// the mutexes the thread holds, and as the target of pthread_kill and friends. The
// main thread holds a recursive and an error-checking mutex across checkpoints (as
// DMTCP's mutex1-4 tests do); every round it re-locks the first and unlocks and locks
// the second (both refuse anyone but their owner), signals a helper thread with
// pthread_kill and waits for its handler, reads the helper's CPU clock and affinity
// and its own attributes (pthread_getattr_np, as Java does). Prints
// "round N" every 10 rounds and "thread_ids done" after COUNT; "FAILED ..." otherwise.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "probe_util.h"

static volatile sig_atomic_t g_signals;

static void OnSignal(int sig) { g_signals++; }

static void* Helper(void* arg) {
  for (;;) pause();
  return NULL;
}

static int Fail(const char* what, int rc) {
  SAY("FAILED %s: %s", what, strerror(rc));
  return 1;
}

int main(int argc, char** argv) {
  const int count = argc > 1 ? atoi(argv[1]) : 200;
  pthread_mutexattr_t attr;
  pthread_mutex_t recursive, checking;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_init(&recursive, &attr);
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
  pthread_mutex_init(&checking, &attr);
  pthread_mutex_lock(&recursive);
  pthread_mutex_lock(&checking);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = OnSignal;
  sigaction(SIGUSR1, &sa, NULL);
  pthread_t helper;
  pthread_create(&helper, NULL, Helper, NULL);
  SAY("ready");
  for (int round = 1; round <= count; round++) {
    int rc = pthread_mutex_trylock(&recursive);
    if (rc != 0) return Fail("re-locking the recursive mutex", rc);
    pthread_mutex_unlock(&recursive);
    if ((rc = pthread_mutex_unlock(&checking)) != 0) return Fail("unlocking the error-checking mutex", rc);
    if ((rc = pthread_mutex_lock(&checking)) != 0) return Fail("locking the error-checking mutex", rc);

    const int before = g_signals;
    if ((rc = pthread_kill(helper, SIGUSR1)) != 0) return Fail("pthread_kill", rc);
    for (int i = 0; g_signals == before; i++) {
      if (i == 2000) return Fail("the helper's handler", ETIMEDOUT);
      usleep(1000);
    }
    clockid_t clock;
    struct timespec spent;
    if ((rc = pthread_getcpuclockid(helper, &clock)) != 0) return Fail("pthread_getcpuclockid", rc);
    if (clock_gettime(clock, &spent) != 0) return Fail("the helper's CPU clock", errno);
    cpu_set_t cpus;
    if ((rc = pthread_getaffinity_np(helper, sizeof cpus, &cpus)) != 0) return Fail("pthread_getaffinity_np", rc);
    pthread_attr_t thread_attr;  // as Java asks of each thread
    if ((rc = pthread_getattr_np(pthread_self(), &thread_attr)) != 0) return Fail("pthread_getattr_np", rc);
    pthread_attr_destroy(&thread_attr);
    if (round % 10 == 0) SAY("round %d", round);
    usleep(10 * 1000);
  }
  SAY("thread_ids done");
  return 0;
}
