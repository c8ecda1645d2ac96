// glibc's calls that hand a thread's id from its descriptor straight to the kernel.
// After a restart that could not give threads their old ids, the descriptor keeps the
// id the program knew (threads.cc says why), so these calls are made here with the
// kernel's id instead. Before any restart both ids are one and glibc's own run.
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/common/raw_syscalls.h"
#include "core/runtime/wrappers.h"
#include "core/runtime/pid_table.h"
#include "core/runtime/threads.h"


namespace {

// glibc's internal signals (SIGCANCEL, SIGSETXID): pthread_kill refuses them.
bool InternalSignal(int sig) { return sig == 32 || sig == 33; }

// The kernel's id of `th`, or 0 when glibc's own call is right (no id translated, the
// descriptor is unknown, or the thread has exited: glibc answers that itself).
long KernelTid(pthread_t th) {
  if (!rt::AnyIdTranslated()) return 0;
  int* word = rt::ThreadIdWord((unsigned long)th);
  if (word == nullptr) return 0;
  const int known = __atomic_load_n(word, __ATOMIC_ACQUIRE);
  return known == 0 ? 0 : rt::VirtualToReal(known);
}

// Runs glibc's `call` with the kernel's id in th's descriptor for its duration (the
// calls below read it once, to pass it on). Only where no direct equivalent is short.
template <typename Call>
int WithKernelTid(pthread_t th, Call call) {
  const long tid = KernelTid(th);
  int* word = rt::ThreadIdWord((unsigned long)th);
  if (tid == 0) return call();
  const int known = *word;
  *word = (int)tid;
  const int rc = call();
  *word = known;
  return rc;
}

int Errno(long rc) { return rc < 0 ? (int)-rc : 0; }

}  // namespace

EXPORT int pthread_kill(pthread_t th, int sig) {
  const long tid = th == pthread_self() ? 0 : KernelTid(th);
  if (tid == 0) {
    using Fn = int (*)(pthread_t, int);
    static Fn real;
    return rt::Real(&real, "pthread_kill")(th, sig);
  }
  if (InternalSignal(sig)) return EINVAL;
  return Errno(sys::tgkill(sys::getpid(), tid, sig));
}

EXPORT int pthread_sigqueue(pthread_t th, int sig, const union sigval value) {
  const long tid = KernelTid(th);
  if (tid == 0) {
    using Fn = int (*)(pthread_t, int, const union sigval);
    static Fn real;
    return rt::Real(&real, "pthread_sigqueue")(th, sig, value);
  }
  if (InternalSignal(sig)) return EINVAL;
  siginfo_t info;
  memset(&info, 0, sizeof info);
  info.si_signo = sig;
  info.si_code = SI_QUEUE;
  info.si_pid = getpid();  // the program's pid, as the receiver knows it
  info.si_uid = getuid();
  info.si_value = value;
  return Errno(arch_syscall4(__NR_rt_tgsigqueueinfo, sys::getpid(), tid, sig, (long)&info));
}

EXPORT int pthread_setaffinity_np(pthread_t th, size_t size, const cpu_set_t* set) {
  const long tid = KernelTid(th);
  if (tid == 0) {
    using Fn = int (*)(pthread_t, size_t, const cpu_set_t*);
    static Fn real;
    return rt::Real(&real, "pthread_setaffinity_np")(th, size, set);
  }
  return Errno(arch_syscall3(__NR_sched_setaffinity, tid, (long)size, (long)set));
}

EXPORT int pthread_getaffinity_np(pthread_t th, size_t size, cpu_set_t* set) {
  const long tid = KernelTid(th);
  if (tid == 0) {
    using Fn = int (*)(pthread_t, size_t, cpu_set_t*);
    static Fn real;
    return rt::Real(&real, "pthread_getaffinity_np")(th, size, set);
  }
  const long rc = arch_syscall3(__NR_sched_getaffinity, tid, (long)size, (long)set);
  if (rc < 0) return (int)-rc;
  memset(reinterpret_cast<char*>(set) + rc, 0, size - (size_t)rc);  // as glibc does
  return 0;
}

EXPORT int pthread_getcpuclockid(pthread_t th, clockid_t* clock) {
  const long tid = KernelTid(th);
  if (tid == 0) {
    using Fn = int (*)(pthread_t, clockid_t*);
    static Fn real;
    return rt::Real(&real, "pthread_getcpuclockid")(th, clock);
  }
  *clock = (clockid_t)((~(unsigned long)tid << 3) | 6);  // the kernel's per-thread CPUCLOCK_SCHED
  return 0;
}

EXPORT int pthread_cancel(pthread_t th) {
  using Fn = int (*)(pthread_t);
  static Fn real;
  Fn fn = rt::Real(&real, "pthread_cancel");
  return WithKernelTid(th, [&] { return fn(th); });
}

EXPORT int pthread_setschedparam(pthread_t th, int policy, const struct sched_param* param) {
  using Fn = int (*)(pthread_t, int, const struct sched_param*);
  static Fn real;
  Fn fn = rt::Real(&real, "pthread_setschedparam");
  return WithKernelTid(th, [&] { return fn(th, policy, param); });
}

EXPORT int pthread_getschedparam(pthread_t th, int* policy, struct sched_param* param) {
  using Fn = int (*)(pthread_t, int*, struct sched_param*);
  static Fn real;
  Fn fn = rt::Real(&real, "pthread_getschedparam");
  return WithKernelTid(th, [&] { return fn(th, policy, param); });
}

EXPORT int pthread_setschedprio(pthread_t th, int prio) {
  using Fn = int (*)(pthread_t, int);
  static Fn real;
  Fn fn = rt::Real(&real, "pthread_setschedprio");
  return WithKernelTid(th, [&] { return fn(th, prio); });
}

EXPORT int pthread_setname_np(pthread_t th, const char* name) {
  using Fn = int (*)(pthread_t, const char*);
  static Fn real;
  Fn fn = rt::Real(&real, "pthread_setname_np");
  return WithKernelTid(th, [&] { return fn(th, name); });
}

EXPORT int pthread_getname_np(pthread_t th, char* name, size_t len) {
  using Fn = int (*)(pthread_t, char*, size_t);
  static Fn real;
  Fn fn = rt::Real(&real, "pthread_getname_np");
  return WithKernelTid(th, [&] { return fn(th, name, len); });
}

// glibc fills in the affinity with the thread's id from its descriptor (Java asks
// this of every thread it attaches: an ESRCH here is a fatal error in the JVM).
EXPORT int pthread_getattr_np(pthread_t th, pthread_attr_t* attr) {
  using Fn = int (*)(pthread_t, pthread_attr_t*);
  static Fn real;
  Fn fn = rt::Real(&real, "pthread_getattr_np");
  return WithKernelTid(th, [&] { return fn(th, attr); });
}
