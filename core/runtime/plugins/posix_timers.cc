// Plugin: POSIX timers (timer_create and friends).
//
// The kernel's timers die with the process and a new one hands out its own ids, so the
// program gets ids from us: timer_create() returns a slot number and the other calls
// translate it to the kernel's timer of the moment. At checkpoint each timer's
// remaining time and interval are read; after a restart every timer is created again
// with the same clock and notification and armed with what was left.
//
// SIGEV_THREAD is done here rather than by glibc, whose helper thread blocks every
// signal and so could never be stopped for a checkpoint. Our helper blocks all but the
// checkpoint signal and waits for the timers' signal (glibc's own choice, its
// reserved signal 32, which the program never handles); each expiry starts a thread
// running the program's function, as glibc would.
//
// Not kept: expirations whose signal was queued but not yet delivered when the
// checkpoint was taken, and the overrun count (it restarts from 0).
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/common/raw_syscalls.h"
#include "core/runtime/config.h"
#include "core/runtime/hooks.h"
#include "core/runtime/log.h"
#include "core/runtime/pid_table.h"
#include "core/runtime/threads.h"
#include "core/runtime/wrappers.h"


namespace rt {
namespace {

constexpr int kMaxTimers = 512;
constexpr int kTimerSignal = 32;  // glibc's SIGTIMER; reserved, never the program's

struct Timer {
  int used;
  int generation;          // tells a stale expiry of a reused slot from a live one
  clockid_t clock;
  int notify;              // the program's SIGEV_* choice
  int signo;
  union sigval value;
  long thread;             // SIGEV_THREAD_ID: the target, as the program knows it
  void (*function)(union sigval);  // SIGEV_THREAD
  size_t stack_size;       // SIGEV_THREAD: from the attributes given, 0 for default
  sigset_t mask;           // SIGEV_THREAD: the creator's signal mask, for its threads
  timer_t kernel;          // the kernel's timer now
  struct itimerspec left;  // at checkpoint: remaining time and interval
};

Timer g_timers[kMaxTimers];
pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;  // the program's threads only
long g_helper_tid;  // the SIGEV_THREAD helper, as the program knows it; 0 until needed

using CreateFn = int (*)(clockid_t, struct sigevent*, timer_t*);
using SetFn = int (*)(timer_t, int, const void*, void*);
using GetFn = int (*)(timer_t, void*);
using IdFn = int (*)(timer_t);

struct RealFunctions {
  CreateFn create;
  SetFn settime, settime64;
  GetFn gettime, gettime64;
  IdFn getoverrun, del;
};
RealFunctions g_real;

void ResolveReal() {
  if (g_real.create != nullptr) return;
  g_real.settime = Next<SetFn>("timer_settime");
  g_real.settime64 = Next<SetFn>("__timer_settime64");  // 32-bit arches only
  g_real.gettime = Next<GetFn>("timer_gettime");
  g_real.gettime64 = Next<GetFn>("__timer_gettime64");
  g_real.getoverrun = Next<IdFn>("timer_getoverrun");
  g_real.del = Next<IdFn>("timer_delete");
  __atomic_store_n(&g_real.create, Next<CreateFn>("timer_create"), __ATOMIC_RELEASE);
}

// Our ids are slot numbers; glibc passes a small non-negative timer_t to the kernel as
// it is, so the kernel's id goes to glibc's functions unchanged.
timer_t IdOf(int slot) { return (timer_t)(intptr_t)slot; }
Timer* Lookup(timer_t id) {
  intptr_t slot = (intptr_t)id;
  if (slot < 0 || slot >= kMaxTimers || !__atomic_load_n(&g_timers[slot].used, __ATOMIC_ACQUIRE)) {
    return nullptr;
  }
  return &g_timers[slot];
}

int Fail(int err) {
  errno = err;
  return -1;
}

// ---- SIGEV_THREAD ----

struct Expiry {
  void (*function)(union sigval);
  union sigval value;
  sigset_t mask;
};

void* RunExpiry(void* arg) {
  Expiry e = *static_cast<Expiry*>(arg);
  free(arg);
  pthread_sigmask(SIG_SETMASK, &e.mask, nullptr);  // our wrapper keeps the checkpoint signal
  e.function(e.value);
  return nullptr;
}

void StartExpiry(int slot, int generation) {
  pthread_mutex_lock(&g_lock);
  const Timer& t = g_timers[slot];
  if (!t.used || t.generation != generation || t.notify != SIGEV_THREAD) {
    pthread_mutex_unlock(&g_lock);
    return;
  }
  Expiry* e = static_cast<Expiry*>(malloc(sizeof(Expiry)));
  if (e != nullptr) *e = {t.function, t.value, t.mask};
  const size_t stack_size = t.stack_size;
  pthread_mutex_unlock(&g_lock);
  if (e == nullptr) return;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  if (stack_size != 0) pthread_attr_setstacksize(&attr, stack_size);
  pthread_t thread;
  if (pthread_create(&thread, &attr, RunExpiry, e) != 0) free(e);
  pthread_attr_destroy(&attr);
}

void* HelperMain(void*) {
  __atomic_store_n(&g_helper_tid, RealToVirtual(sys::gettid()), __ATOMIC_RELEASE);
  uint64_t all = ~0ull;
  if (g_config.active) all &= ~(1ull << (g_config.ckpt_signal - 1));  // stays stoppable
  sys::rt_sigprocmask(SIG_SETMASK, &all, nullptr);
  const uint64_t wanted = 1ull << (kTimerSignal - 1);
  pthread_setname_np(pthread_self(), "dmtcp:timers");
  for (;;) {
    siginfo_t si;
    long sig = arch_syscall4(__NR_rt_sigtimedwait, (long)&wanted, (long)&si, 0, 8);
    if (sig != kTimerSignal || si.si_code != SI_TIMER) continue;
    const long cookie = si.si_value.sival_int;
    StartExpiry((int)(cookie % kMaxTimers), (int)(cookie / kMaxTimers));
  }
  return nullptr;
}

// Starts the helper once; g_lock held. Its tid goes into SIGEV_THREAD_ID timers.
bool StartHelper() {
  if (g_helper_tid != 0) return true;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t thread;
  const int rc = pthread_create(&thread, &attr, HelperMain, nullptr);
  pthread_attr_destroy(&attr);
  if (rc != 0) return false;
  while (__atomic_load_n(&g_helper_tid, __ATOMIC_ACQUIRE) == 0) sched_yield();  // it says its tid
  return true;
}

// The kernel's id of a thread the program names by `tid`. After a restart the pid
// table learns the threads' new ids only once every process is back, after the
// restart hooks ran, so the restored threads' slots are asked too.
long RealTid(long tid) {
  for (int i = 0; i < ThreadCount(); i++) {
    const ThreadSlot* slot = ThreadAt(i);
    if (slot->virtual_tid == tid && __atomic_load_n(&slot->state, __ATOMIC_ACQUIRE) == kThreadRestored) {
      return slot->tid;
    }
  }
  return VirtualToReal(tid);
}

// The kernel's view of timer `t`: SIGEV_THREAD becomes a signal to our helper.
struct sigevent KernelEvent(int slot, const Timer& t) {
  struct sigevent ev;
  memset(&ev, 0, sizeof ev);
  ev.sigev_value = t.value;
  ev.sigev_signo = t.signo;
  ev.sigev_notify = t.notify;
  if (t.notify == SIGEV_THREAD) {
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_signo = kTimerSignal;
    ev.sigev_value.sival_int = t.generation * kMaxTimers + slot;
    ev._sigev_un._tid = (pid_t)RealTid(g_helper_tid);
  } else if (t.notify == SIGEV_THREAD_ID) {
    ev._sigev_un._tid = (pid_t)RealTid(t.thread);
  }
  return ev;
}

// ---- checkpoint and restart ----

void Save() {
  for (int i = 0; i < kMaxTimers; i++) {
    Timer& t = g_timers[i];
    if (!t.used) continue;
    memset(&t.left, 0, sizeof t.left);
    if (g_real.gettime(t.kernel, &t.left) != 0) Warn("checkpoint: timer %d unreadable (%d)", i, errno);
  }
}

void Restore() {
  for (int i = 0; i < kMaxTimers; i++) {
    Timer& t = g_timers[i];
    if (!t.used) continue;
    struct sigevent ev = KernelEvent(i, t);
    if (g_real.create(t.clock, &ev, &t.kernel) != 0) {
      Warn("restart: timer %d (clock %d) could not be created again (%d)", i, (int)t.clock, errno);
      continue;
    }
    if ((t.left.it_value.tv_sec != 0 || t.left.it_value.tv_nsec != 0) &&
        g_real.settime(t.kernel, 0, &t.left, nullptr) != 0) {
      Warn("restart: timer %d could not be armed again (%d)", i, errno);
    }
  }
}


// A forked child has no timers (nor the helper thread).
void ForgetTimers() {
  for (Timer& t : g_timers) t.used = 0;
  g_helper_tid = 0;
  pthread_mutex_init(&g_lock, nullptr);
}

__attribute__((constructor(RUNTIME_PLUGIN_PRIORITY))) void Init() {
  ResolveReal();
  pthread_atfork(nullptr, nullptr, ForgetTimers);
}

}  // namespace

RUNTIME_PLUGIN(posix_timers, .save = Save, .restore = Restore)

}  // namespace rt

// ---- the program's calls ----

using rt::g_real;

EXPORT int timer_create(clockid_t clock, struct sigevent* event, timer_t* id) {
  rt::ResolveReal();
  if (id == nullptr) return rt::Fail(EINVAL);
  struct sigevent fallback;
  if (event == nullptr) {  // POSIX: SIGALRM carrying the timer's id
    memset(&fallback, 0, sizeof fallback);
    fallback.sigev_notify = SIGEV_SIGNAL;
    fallback.sigev_signo = SIGALRM;
    event = &fallback;
  }
  const int notify = event->sigev_notify;
  if (notify != SIGEV_NONE && notify != SIGEV_SIGNAL && notify != SIGEV_THREAD &&
      notify != SIGEV_THREAD_ID) {
    return rt::Fail(EINVAL);
  }
  if (notify == SIGEV_THREAD && event->sigev_notify_function == nullptr) return rt::Fail(EINVAL);
  pthread_mutex_lock(&rt::g_lock);
  int slot = 0;
  while (slot < rt::kMaxTimers && rt::g_timers[slot].used) slot++;
  if (slot == rt::kMaxTimers || (notify == SIGEV_THREAD && !rt::StartHelper())) {
    pthread_mutex_unlock(&rt::g_lock);
    return rt::Fail(EAGAIN);
  }
  rt::Timer t;
  memset(&t, 0, sizeof t);
  t.generation = rt::g_timers[slot].generation + 1;
  t.clock = clock;
  t.notify = notify;
  t.signo = event->sigev_signo;
  t.value = event->sigev_value;
  if (event == &fallback) t.value.sival_int = slot;
  if (notify == SIGEV_THREAD_ID) t.thread = event->_sigev_un._tid;
  if (notify == SIGEV_THREAD) {
    t.function = event->sigev_notify_function;
    if (event->sigev_notify_attributes != nullptr) {
      pthread_attr_getstacksize(event->sigev_notify_attributes, &t.stack_size);
    }
    pthread_sigmask(SIG_SETMASK, nullptr, &t.mask);
  }
  struct sigevent ev = rt::KernelEvent(slot, t);
  if (g_real.create(clock, &ev, &t.kernel) != 0) {
    const int err = errno;
    pthread_mutex_unlock(&rt::g_lock);
    return rt::Fail(err);
  }
  t.used = 1;
  rt::g_timers[slot] = t;
  pthread_mutex_unlock(&rt::g_lock);
  *id = rt::IdOf(slot);
  return 0;
}

EXPORT int timer_delete(timer_t id) {
  pthread_mutex_lock(&rt::g_lock);
  rt::Timer* t = rt::Lookup(id);
  if (t == nullptr) {
    pthread_mutex_unlock(&rt::g_lock);
    return rt::Fail(EINVAL);
  }
  const int rc = g_real.del(t->kernel);
  const int err = errno;
  __atomic_store_n(&t->used, 0, __ATOMIC_RELEASE);
  pthread_mutex_unlock(&rt::g_lock);
  if (rc != 0) return rt::Fail(err);
  return 0;
}

// Reads need no lock: a slot's kernel timer changes only at restart, while no
// program thread runs.
#define KERNEL_TIMER_OR_FAIL(id)             rt::Timer* t = rt::Lookup(id);             if (t == nullptr) return rt::Fail(EINVAL)

EXPORT int timer_settime(timer_t id, int flags, const struct itimerspec* value,
                         struct itimerspec* old) {
  const rt::Timer* t = rt::Lookup(id);
  if (t == nullptr) return rt::Fail(EINVAL);
  return g_real.settime(t->kernel, flags, value, old);
}

EXPORT int timer_gettime(timer_t id, struct itimerspec* value) {
  const rt::Timer* t = rt::Lookup(id);
  if (t == nullptr) return rt::Fail(EINVAL);
  return g_real.gettime(t->kernel, value);
}

EXPORT int timer_getoverrun(timer_t id) {
  const rt::Timer* t = rt::Lookup(id);
  if (t == nullptr) return rt::Fail(EINVAL);
  return g_real.getoverrun(t->kernel);
}

// 64-bit time on 32-bit arches (_TIME_BITS=64); never called on 64-bit ones.
EXPORT int __timer_settime64(timer_t id, int flags, const void* value, void* old) {
  const rt::Timer* t = rt::Lookup(id);
  if (t == nullptr) return rt::Fail(EINVAL);
  if (g_real.settime64 == nullptr) return rt::Fail(ENOSYS);
  return g_real.settime64(t->kernel, flags, value, old);
}

EXPORT int __timer_gettime64(timer_t id, void* value) {
  const rt::Timer* t = rt::Lookup(id);
  if (t == nullptr) return rt::Fail(EINVAL);
  if (g_real.gettime64 == nullptr) return rt::Fail(ENOSYS);
  return g_real.gettime64(t->kernel, value);
}
