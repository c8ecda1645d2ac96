// The program sees the ids it knew before any restart (pid_table.h): every call that
// takes or returns a process, thread, group or session id is translated here. glibc's
// own internal calls (raise, pthread_kill) use the kernel's ids directly, which is
// right, since they go straight to the kernel.
#include <errno.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/common/raw_syscalls.h"
#include "core/runtime/pid_table.h"
#include "core/runtime/threads.h"

#define EXPORT extern "C" __attribute__((visibility("default")))

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
