// events GO_FILE: event descriptors and timers keep their state across a restart.
//  - an eventfd holding 5 (non-blocking) still holds 5;
//  - a timerfd ticking every 100 ms keeps ticking at that period;
//  - a signalfd for SIGUSR1 (blocked) still reports SIGUSR1;
//  - an epoll set watching the eventfd and a pipe reports the eventfd with its data;
//  - an epoll set made earlier (a lower fd) watching that set reports it (as UCX does);
//  - an alarm set for 1000 s still has most of it left.
// Prints "ready", then one line per check and "events ok"; exits 0 if all passed.
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>

#include "probe_util.h"

static int ok = 1;

static void check(int good, const char* what) {
  SAY("%s %s", what, good ? "ok" : "FAILED");
  ok &= good;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
  const char* go = argc > 1 ? argv[1] : "go";
  int efd = eventfd(5, EFD_NONBLOCK);
  int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
  struct itimerspec period = {{0, 100 * 1000 * 1000}, {0, 100 * 1000 * 1000}};
  timerfd_settime(tfd, 0, &period, NULL);
  sigset_t usr1;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  sigprocmask(SIG_BLOCK, &usr1, NULL);
  int sfd = signalfd(-1, &usr1, 0);
  int pipes[2];
  if (pipe(pipes) != 0) return 2;
  int outer = epoll_create1(0);
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0x1234567887654321ULL};
  epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
  struct epoll_event ev2 = {.events = EPOLLIN, .data.u64 = 77};
  epoll_ctl(ep, EPOLL_CTL_ADD, pipes[0], &ev2);
  struct epoll_event ev3 = {.events = EPOLLIN, .data.u64 = 99};
  epoll_ctl(outer, EPOLL_CTL_ADD, ep, &ev3);
  alarm(1000);
  SAY("ready");
  wait_for_file(go);

  uint64_t value = 0;
  check(read(efd, &value, sizeof value) == sizeof value && value == 5, "eventfd value");
  eventfd_write(efd, 3);
  struct epoll_event got[4];
  int n = epoll_wait(ep, got, 4, 1000);
  check(n == 1 && got[0].data.u64 == 0x1234567887654321ULL, "epoll watches");
  n = epoll_wait(outer, got, 4, 1000);
  check(n == 1 && got[0].data.u64 == 99, "nested epoll");
  uint64_t ticks;
  read(tfd, &ticks, sizeof ticks);  // whatever piled up
  double t0 = now();
  int tick_ok = read(tfd, &ticks, sizeof ticks) == sizeof ticks;
  tick_ok &= read(tfd, &ticks, sizeof ticks) == sizeof ticks;
  double period_seen = (now() - t0) / 2;
  SAY("timerfd period %.3f s", period_seen);
  check(tick_ok && period_seen > 0.05 && period_seen < 0.2, "timerfd period");
  raise(SIGUSR1);
  struct signalfd_siginfo si;
  check(read(sfd, &si, sizeof si) == sizeof si && si.ssi_signo == SIGUSR1, "signalfd");
  unsigned left = alarm(0);
  SAY("alarm left %u s", left);
  check(left > 900 && left <= 1000, "alarm");
  SAY("%s", ok ? "events ok" : "EVENTS FAILED");
  return ok ? 0 : 1;
}
