// The program sees the ids it knew before any restart (pid_table.h): every call that
// takes or returns a process, thread, group or session id is translated here. glibc's
// own internal calls (raise, pthread_kill) use the kernel's ids directly, which is
// right, since they go straight to the kernel.
#include <errno.h>
#include <stdarg.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/common/raw_syscalls.h"
#include "core/runtime/wrappers.h"
#include "core/runtime/pid_table.h"
#include "core/runtime/threads.h"


namespace {

// A pid argument: 0 and -1 keep their meaning; -pgid names a group.
long PidIn(long pid) {
  if (pid > 0) return rt::VirtualToReal(pid);
  if (pid < -1) return -rt::VirtualToReal(-pid);
  return pid;
}

long PidOut(long pid) { return pid > 0 ? rt::RealToVirtual(pid) : pid; }

long Result(long rc) {
  if (rc < 0) {
    errno = (int)-rc;
    return -1;
  }
  return rc;
}

}  // namespace

EXPORT pid_t getpid(void) { return (pid_t)rt::VirtualPid(); }
EXPORT pid_t getppid(void) { return (pid_t)PidOut(sys::getppid()); }
EXPORT pid_t gettid(void) { return (pid_t)PidOut(sys::gettid()); }

EXPORT int kill(pid_t pid, int sig) { return (int)Result(sys::kill(PidIn(pid), sig)); }

EXPORT int tgkill(pid_t pid, pid_t tid, int sig) {
  return (int)Result(sys::tgkill(PidIn(pid), PidIn(tid), sig));
}

// A wait for a given child that a checkpoint interrupted is restarted with the ids it
// was called with (by our rewind, or by an emulator): after a restart that gave the
// child a new pid it fails with ECHILD. So it is called again, translated anew.
static bool InterruptedByCheckpoint(long rc, unsigned long generation) {
  return (rc == -EINTR || rc == -ECHILD) && rt::SuspendGeneration() != generation;
}

EXPORT pid_t wait4(pid_t pid, int* status, int options, struct rusage* usage) {
  for (;;) {
    const unsigned long generation = rt::SuspendGeneration();
    long rc = arch_syscall4(__NR_wait4, PidIn(pid), (long)status, options, (long)usage);
    if (!InterruptedByCheckpoint(rc, generation)) return (pid_t)PidOut(Result(rc));
  }
}

EXPORT pid_t waitpid(pid_t pid, int* status, int options) { return wait4(pid, status, options, nullptr); }
// dash (/bin/sh on Debian) waits with wait3: without this the pid it gets back after a
// restart would be the kernel's, which its job table does not know.
EXPORT pid_t wait3(int* status, int options, struct rusage* usage) {
  return wait4(-1, status, options, usage);
}
EXPORT pid_t wait(int* status) { return wait4(-1, status, 0, nullptr); }

EXPORT int waitid(idtype_t type, id_t id, siginfo_t* info, int options) {
  long rc;
  for (;;) {
    const unsigned long generation = rt::SuspendGeneration();
    const id_t real = type == P_PID || type == P_PGID ? (id_t)rt::VirtualToReal((long)id) : id;
    rc = arch_syscall5(__NR_waitid, type, (long)real, (long)info, options, 0);
    if (!InterruptedByCheckpoint(rc, generation)) break;
  }
  if (rc == 0 && info != nullptr && info->si_pid != 0) info->si_pid = (pid_t)PidOut(info->si_pid);
  return (int)Result(rc);
}

EXPORT int setpgid(pid_t pid, pid_t pgid) {
  return (int)Result(arch_syscall2(__NR_setpgid, PidIn(pid), PidIn(pgid)));
}
EXPORT pid_t getpgid(pid_t pid) {
  return (pid_t)PidOut(Result(arch_syscall1(__NR_getpgid, PidIn(pid))));
}
EXPORT pid_t getpgrp(void) { return (pid_t)PidOut(Result(arch_syscall1(__NR_getpgid, 0))); }
EXPORT pid_t getsid(pid_t pid) {
  return (pid_t)PidOut(Result(arch_syscall1(__NR_getsid, PidIn(pid))));
}
EXPORT pid_t setsid(void) { return (pid_t)PidOut(Result(arch_syscall0(__NR_setsid))); }

// The terminal's foreground group and session, which glibc asks the kernel for with
// ioctls of its own.
EXPORT pid_t tcgetpgrp(int fd) {
  int pgrp = 0;
  long rc = arch_syscall3(__NR_ioctl, fd, TIOCGPGRP, (long)&pgrp);
  return rc < 0 ? (pid_t)Result(rc) : (pid_t)PidOut(pgrp);
}
EXPORT int tcsetpgrp(int fd, pid_t pgrp) {
  int real = (int)PidIn(pgrp);
  return (int)Result(arch_syscall3(__NR_ioctl, fd, TIOCSPGRP, (long)&real));
}
EXPORT pid_t tcgetsid(int fd) {
  int sid = 0;
  long rc = arch_syscall3(__NR_ioctl, fd, TIOCGSID, (long)&sid);
  return rc < 0 ? (pid_t)Result(rc) : (pid_t)PidOut(sid);
}

// Calls naming another process by pid, passed on to libc with the kernel's pid.
// UCX, under MPICH, reads its peers' memory with process_vm_readv by their pids.
using ProcessVmFn = ssize_t (*)(pid_t, const struct iovec*, unsigned long, const struct iovec*,
                                unsigned long, unsigned long);
EXPORT ssize_t process_vm_readv(pid_t pid, const struct iovec* local, unsigned long n_local,
                                const struct iovec* remote, unsigned long n_remote,
                                unsigned long flags) {
  CALL_REAL(ProcessVmFn, process_vm_readv, (pid_t)PidIn(pid), local, n_local, remote, n_remote, flags);
}
EXPORT ssize_t process_vm_writev(pid_t pid, const struct iovec* local, unsigned long n_local,
                                 const struct iovec* remote, unsigned long n_remote,
                                 unsigned long flags) {
  CALL_REAL(ProcessVmFn, process_vm_writev, (pid_t)PidIn(pid), local, n_local, remote, n_remote, flags);
}
using PidfdOpenFn = int (*)(pid_t, unsigned int);
EXPORT int pidfd_open(pid_t pid, unsigned int flags) {
  CALL_REAL(PidfdOpenFn, pidfd_open, (pid_t)PidIn(pid), flags);
}
using SigqueueFn = int (*)(pid_t, int, const union sigval);
EXPORT int sigqueue(pid_t pid, int sig, const union sigval value) {
  CALL_REAL(SigqueueFn, sigqueue, (pid_t)PidIn(pid), sig, value);
}
using AffinityFn = int (*)(pid_t, size_t, cpu_set_t*);
using ConstAffinityFn = int (*)(pid_t, size_t, const cpu_set_t*);
EXPORT int sched_getaffinity(pid_t pid, size_t size, cpu_set_t* set) {
  CALL_REAL(AffinityFn, sched_getaffinity, (pid_t)PidIn(pid), size, set);
}
EXPORT int sched_setaffinity(pid_t pid, size_t size, const cpu_set_t* set) {
  CALL_REAL(ConstAffinityFn, sched_setaffinity, (pid_t)PidIn(pid), size, set);
}
using GetSchedulerFn = int (*)(pid_t);
using SetSchedulerFn = int (*)(pid_t, int, const struct sched_param*);
using GetParamFn = int (*)(pid_t, struct sched_param*);
using SetParamFn = int (*)(pid_t, const struct sched_param*);
EXPORT int sched_getscheduler(pid_t pid) {
  CALL_REAL(GetSchedulerFn, sched_getscheduler, (pid_t)PidIn(pid));
}
EXPORT int sched_setscheduler(pid_t pid, int policy, const struct sched_param* param) {
  CALL_REAL(SetSchedulerFn, sched_setscheduler, (pid_t)PidIn(pid), policy, param);
}
EXPORT int sched_getparam(pid_t pid, struct sched_param* param) {
  CALL_REAL(GetParamFn, sched_getparam, (pid_t)PidIn(pid), param);
}
EXPORT int sched_setparam(pid_t pid, const struct sched_param* param) {
  CALL_REAL(SetParamFn, sched_setparam, (pid_t)PidIn(pid), param);
}
// For PRIO_PROCESS and PRIO_PGRP `who` is a pid or group (0: the caller).
static id_t PriorityWho(int which, id_t who) {
  return which == PRIO_USER || who == 0 ? who : (id_t)PidIn((long)who);
}
using GetPriorityFn = int (*)(int, id_t);
using SetPriorityFn = int (*)(int, id_t, int);
EXPORT int getpriority(int which, id_t who) {
  CALL_REAL(GetPriorityFn, getpriority, which, PriorityWho(which, who));
}
EXPORT int setpriority(int which, id_t who, int prio) {
  CALL_REAL(SetPriorityFn, setpriority, which, PriorityWho(which, who), prio);
}

// syscall(2) itself: a program (or a library) that asks the kernel directly for an id,
// or names a process or thread by one, gets and gives the ids it knows, as through the
// libc functions above. Every other call goes to the kernel unchanged, with glibc's
// convention: -1 and errno on failure.
EXPORT long syscall(long number, ...) {
  va_list ap;
  va_start(ap, number);
  long a[6];
  for (long& arg : a) arg = va_arg(ap, long);  // as glibc does: six, whatever was passed
  va_end(ap);
  // The kernel's answers translated here, not through the exported functions above:
  // a program may define its own gettid() on top of syscall() (DMTCP's syscall-tester).
  switch (number) {
    case __NR_getpid:
      return rt::VirtualPid();
    case __NR_gettid:
      return PidOut(sys::gettid());
    case __NR_getppid:
      return PidOut(sys::getppid());
    case __NR_kill:
      return Result(sys::kill(PidIn(a[0]), (int)a[1]));
    case __NR_tgkill:
      return Result(sys::tgkill(PidIn(a[0]), PidIn(a[1]), (int)a[2]));
    case __NR_tkill:
      return Result(arch_syscall2(__NR_tkill, PidIn(a[0]), a[1]));
    case __NR_getpgid:
      return PidOut(Result(arch_syscall1(__NR_getpgid, PidIn(a[0]))));
    case __NR_setpgid:
      return Result(arch_syscall2(__NR_setpgid, PidIn(a[0]), PidIn(a[1])));
    case __NR_getsid:
      return PidOut(Result(arch_syscall1(__NR_getsid, PidIn(a[0]))));
    default: {
      const long rc = arch_syscall6(number, a[0], a[1], a[2], a[3], a[4], a[5]);
      return rc < 0 && rc > -4096 ? Result(rc) : rc;
    }
  }
}
