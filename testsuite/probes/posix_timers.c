// posix_timers GO_FILE: POSIX timers keep ticking across a restart.
//  - a periodic SIGEV_SIGNAL timer (every 20 ms, SIGRTMIN+1, value 111) and a periodic
//    SIGEV_THREAD timer (every 20 ms, value 222, run in threads of their own) keep
//    delivering, with their values, at about their period;
//  - a SIGEV_NONE timer set for 1000 s still has most of it left, and keeps its
//    interval of 7 s;
//  - a deleted timer stays deleted; a timer made after the restart gets a fresh id and
//    fires once, on time.
// Prints "ready", then one line per check and "timers ok"; exits 0 if all passed.
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "probe_util.h"

static int ok = 1;
static volatile sig_atomic_t signal_count, signal_value_ok = 1;
static volatile sig_atomic_t oneshot_fired;
static int thread_count, thread_value_ok = 1, thread_in_main;
static pthread_t main_thread;

static void check(int good, const char* what) {
  SAY("%s %s", what, good ? "ok" : "FAILED");
  ok &= good;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

// Sleeps `seconds` through signal interruptions.
static void pause_for(double seconds) {
  const double end = now() + seconds;
  for (double left; (left = end - now()) > 0;) {
    struct timespec t = {(time_t)left, (long)((left - (time_t)left) * 1e9)};
    nanosleep(&t, NULL);
  }
}

static void on_signal(int sig, siginfo_t* info, void* uc) {
  (void)uc;
  if (sig == SIGRTMIN + 1) {
    signal_count++;
    if (info->si_value.sival_int != 111) signal_value_ok = 0;
  } else {
    oneshot_fired = 1;
  }
}

static void on_thread_expiry(union sigval v) {
  if (v.sival_int != 222) __atomic_store_n(&thread_value_ok, 0, __ATOMIC_RELAXED);
  if (pthread_equal(pthread_self(), main_thread)) __atomic_store_n(&thread_in_main, 1, __ATOMIC_RELAXED);
  __atomic_add_fetch(&thread_count, 1, __ATOMIC_RELAXED);
}

static timer_t make(int notify, int signo, int value) {
  struct sigevent ev;
  memset(&ev, 0, sizeof ev);
  ev.sigev_notify = notify;
  ev.sigev_signo = signo;
  ev.sigev_value.sival_int = value;
  if (notify == SIGEV_THREAD) ev.sigev_notify_function = on_thread_expiry;
  timer_t id;
  if (timer_create(CLOCK_MONOTONIC, &ev, &id) != 0) {
    SAY("timer_create: %s", strerror(errno));
    exit(2);
  }
  return id;
}

static void arm(timer_t id, double first, double every) {
  struct itimerspec t = {{(time_t)every, (long)((every - (time_t)every) * 1e9)},
                         {(time_t)first, (long)((first - (time_t)first) * 1e9)}};
  if (timer_settime(id, 0, &t, NULL) != 0) {
    SAY("timer_settime: %s", strerror(errno));
    exit(2);
  }
}

// How many expirations a counter gains in `seconds`.
static int gained(volatile sig_atomic_t* sig_counter, int* thread_counter, double seconds) {
  int before = sig_counter ? *sig_counter : __atomic_load_n(thread_counter, __ATOMIC_RELAXED);
  pause_for(seconds);
  int after = sig_counter ? *sig_counter : __atomic_load_n(thread_counter, __ATOMIC_RELAXED);
  return after - before;
}

int main(int argc, char** argv) {
  const char* go = argc > 1 ? argv[1] : "go";
  main_thread = pthread_self();
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_signal;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigaction(SIGRTMIN + 1, &sa, NULL);
  sigaction(SIGRTMIN + 2, &sa, NULL);

  timer_t gone = make(SIGEV_NONE, 0, 0);
  timer_t by_signal = make(SIGEV_SIGNAL, SIGRTMIN + 1, 111);
  timer_t by_thread = make(SIGEV_THREAD, 0, 222);
  timer_t silent = make(SIGEV_NONE, 0, 0);
  timer_delete(gone);
  arm(by_signal, 0.02, 0.02);
  arm(by_thread, 0.02, 0.02);
  arm(silent, 1000, 7);
  pause_for(0.2);
  SAY("before: signals %d, threads %d", (int)signal_count, __atomic_load_n(&thread_count, __ATOMIC_RELAXED));
  SAY("ready");
  wait_for_file(go);

  int n = gained(&signal_count, NULL, 0.5);
  SAY("signal timer: %d expirations in 0.5 s", n);
  check(n >= 10 && n <= 30 && signal_value_ok, "signal timer period and value");
  n = gained(NULL, &thread_count, 0.5);
  SAY("thread timer: %d expirations in 0.5 s", n);
  check(n >= 10 && n <= 30 && thread_value_ok && !thread_in_main, "thread timer period and value");

  struct itimerspec left;
  check(timer_gettime(silent, &left) == 0 && left.it_value.tv_sec > 900 &&
            left.it_value.tv_sec < 1000 && left.it_interval.tv_sec == 7,
        "silent timer time left");
  check(timer_getoverrun(by_signal) >= 0, "overrun readable");
  check(timer_gettime(gone, &left) == -1 && errno == EINVAL, "deleted timer stays deleted");

  timer_t fresh = make(SIGEV_SIGNAL, SIGRTMIN + 2, 333);
  check(fresh != by_signal && fresh != by_thread && fresh != silent, "fresh timer id");
  const double start = now();
  arm(fresh, 0.3, 0);
  while (!oneshot_fired && now() - start < 5) pause_for(0.01);
  const double took = now() - start;
  SAY("fresh one-shot fired after %.3f s", took);
  check(oneshot_fired && took > 0.25 && took < 1.5, "fresh timer fires on time");

  check(timer_delete(by_signal) == 0 && timer_delete(by_thread) == 0 &&
            timer_delete(silent) == 0 && timer_delete(fresh) == 0,
        "timers delete");
  SAY("%s", ok ? "timers ok" : "TIMERS FAILED");
  return ok ? 0 : 1;
}
