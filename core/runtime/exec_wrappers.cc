// exec: a process must not be killed by a checkpoint that starts while it execs.
//
// The checkpoint signal is sent to each thread and caught by our handler; but a
// signal still pending when exec succeeds survives it, and in the new program, whose
// handlers are reset until our runtime starts, it would kill the process. So the
// exec'ing thread blocks the checkpoint signal around the call: the checkpoint waits
// for it, and if the exec succeeds the new program starts with the signal blocked and
// perhaps pending, which StartAfterExec() discards before unblocking it. The process
// stays in the checkpoint all the same: its new runtime joins the coordinator before
// the old connection closes (coordinator_link.cc).
//
// glibc's exec functions call each other internally, so each one is wrapped.
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <unistd.h>

#include "core/common/raw_syscalls.h"
#include "core/runtime/config.h"
#include "core/runtime/exec_environment.h"
#include "core/runtime/exec_wrappers.h"
#include "core/runtime/hooks.h"
#include "core/runtime/plugin_api.h"
#include "core/runtime/plugins/sockets.h"
#include "core/runtime/remote_shell.h"
#include "core/runtime/wrappers.h"


namespace rt {
namespace {

constexpr int kMaxExecArgs = 4096;  // for execl*: the list is copied onto the stack

uint64_t CheckpointSignalBit() { return 1ull << (g_config.ckpt_signal - 1); }

// Runs one of libc's exec functions, `*real` (or found by `name` if called before our
// constructors ran), with the checkpoint signal blocked.
template <typename Fn, typename... Args>
int BlockedExec(Fn* real, const char* name, Args... args) {
  Fn fn = Real(real, name);
  if (fn == nullptr) {
    errno = ENOSYS;
    return -1;
  }
  if (!g_config.active) return fn(args...);
  const uint64_t block = CheckpointSignalBit();
  uint64_t old;
  sys::rt_sigprocmask(SIG_BLOCK, &block, &old);
  const int rc = fn(args...);  // returns only on failure
  const int err = errno;
  sys::rt_sigprocmask(SIG_SETMASK, &old, nullptr);  // a pending checkpoint proceeds
  errno = err;
  return rc;
}

using ExecveFn = int (*)(const char*, char* const*, char* const*);
using FexecveFn = int (*)(int, char* const*, char* const*);
using ExecveatFn = int (*)(int, const char*, char* const*, char* const*, int);

// libc's functions, found at startup: a vfork child had better not call dlsym.
struct RealExec {
  ExecveFn execve, execvpe;
  FexecveFn fexecve;
  ExecveatFn execveat;
};
RealExec g_real;

__attribute__((constructor(RUNTIME_PLUGIN_PRIORITY))) void FindRealExec() {
  g_real.execve = Next<ExecveFn>("execve");
  g_real.execvpe = Next<ExecveFn>("execvpe");
  g_real.fexecve = Next<FexecveFn>("fexecve");
  g_real.execveat = Next<ExecveatFn>("execveat");
}

// Collects execl*'s variable arguments (up to the terminating null) into `argv`.
bool CollectArgs(const char* first, va_list ap, char** argv) {
  int n = 0;
  argv[n++] = const_cast<char*>(first);
  while (argv[n - 1] != nullptr) {
    if (n == kMaxExecArgs) return false;
    argv[n++] = va_arg(ap, char*);
  }
  return true;
}

int TooManyArgs() {
  errno = E2BIG;
  return -1;
}

}  // namespace

void StartAfterExec() {
  const uint64_t bit = CheckpointSignalBit();
  uint64_t mask;
  sys::rt_sigprocmask(SIG_SETMASK, nullptr, &mask);
  if (!(mask & bit)) return;  // not exec'd from a wrapped exec
  // A checkpoint signal our previous program was sent: it asked that program to stop,
  // and this one will hear from the coordinator itself. One from anyone else goes on.
  siginfo_t info;
  const struct timespec now = {0, 0};
  while (arch_syscall4(__NR_rt_sigtimedwait, (long)&bit, (long)&info, (long)&now, 8) ==
         g_config.ckpt_signal) {
    if (info.si_code != SI_TKILL || info.si_pid != sys::getpid()) {
      sys::tgkill(sys::getpid(), sys::gettid(), g_config.ckpt_signal);
      break;
    }
  }
  sys::rt_sigprocmask(SIG_UNBLOCK, &bit, nullptr);
}

}  // namespace rt

// Each passes our preload and settings (exec_environment.h) and the socket pairs this
// process knows of (plugins/sockets.h) on to the next program, in its environment `env`;
// execv and execvp therefore become execve and execvpe with the current environment.
// Then plugins hear of the exec (DMTCP_EVENT_PRE_EXEC; fexecve names no file). ssh and
// rsh become dmtcp_ssh first (remote_shell.h).
#define PREPARE_EXEC(file, argv, envp)                                                          \
  char* ssh_argv[rt::kMaxExecArgs];                                                            \
  if (const char* ssh = rt::RemoteShellExec(file, argv, ssh_argv, rt::kMaxExecArgs)) {         \
    file = ssh;                                                                                \
    argv = ssh_argv;                                                                           \
  }                                                                                            \
  char* env_copy[rt::kMaxExecArgs];                                                            \
  char* env_copy2[rt::kMaxExecArgs];                                                           \
  char* const* env = rt::EnvironmentWithSocketPairs(                                           \
      rt::g_config.active ? rt::EnvironmentWithRuntime(envp, env_copy2, rt::kMaxExecArgs) : envp, \
      env_copy, rt::kMaxExecArgs);                                                              \
  rt::ExternalPreExecEvent(file, argv, env)

EXPORT int execve(const char* path, char* const argv[], char* const envp[]) {
  PREPARE_EXEC(path, argv, envp);
  return rt::BlockedExec(&rt::g_real.execve, "execve", path, argv, env);
}
EXPORT int execv(const char* path, char* const argv[]) {
  PREPARE_EXEC(path, argv, environ);
  return rt::BlockedExec(&rt::g_real.execve, "execve", path, argv, env);
}
EXPORT int execvp(const char* file, char* const argv[]) {
  PREPARE_EXEC(file, argv, environ);
  return rt::BlockedExec(&rt::g_real.execvpe, "execvpe", file, argv, env);
}
EXPORT int execvpe(const char* file, char* const argv[], char* const envp[]) {
  PREPARE_EXEC(file, argv, envp);
  return rt::BlockedExec(&rt::g_real.execvpe, "execvpe", file, argv, env);
}
EXPORT int fexecve(int fd, char* const argv[], char* const envp[]) {
  const char* no_file = nullptr;  // fexecve names none
  PREPARE_EXEC(no_file, argv, envp);
  return rt::BlockedExec(&rt::g_real.fexecve, "fexecve", fd, argv, env);
}
EXPORT int execveat(int dirfd, const char* path, char* const argv[], char* const envp[], int flags) {
  PREPARE_EXEC(path, argv, envp);
  return rt::BlockedExec(&rt::g_real.execveat, "execveat", dirfd, path, argv, env, flags);
}

// execl, execlp and execle take their arguments as a list, ended by a null (execle's
// environment follows it): collected onto the stack, they go to the vector forms.
EXPORT int execl(const char* path, const char* arg, ...) {
  char* argv[rt::kMaxExecArgs];
  va_list ap;
  va_start(ap, arg);
  const bool ok = rt::CollectArgs(arg, ap, argv);
  va_end(ap);
  return ok ? execv(path, argv) : rt::TooManyArgs();
}

EXPORT int execlp(const char* file, const char* arg, ...) {
  char* argv[rt::kMaxExecArgs];
  va_list ap;
  va_start(ap, arg);
  const bool ok = rt::CollectArgs(arg, ap, argv);
  va_end(ap);
  return ok ? execvp(file, argv) : rt::TooManyArgs();
}

EXPORT int execle(const char* path, const char* arg, ...) {
  char* argv[rt::kMaxExecArgs];
  va_list ap;
  va_start(ap, arg);
  const bool ok = rt::CollectArgs(arg, ap, argv);
  char* const* envp = ok ? va_arg(ap, char* const*) : nullptr;
  va_end(ap);
  return ok ? execve(path, argv, envp) : rt::TooManyArgs();
}
