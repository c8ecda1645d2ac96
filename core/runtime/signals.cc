#include "core/runtime/signals.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/auxv.h>

#include "core/common/emulation.h"
#include "core/common/maps_line.h"
#include "core/runtime/config.h"
#include "core/runtime/log.h"
#include "core/common/raw_syscalls.h"
#include "core/runtime/wrappers.h"


namespace rt {
namespace {

using SigactionFn = int (*)(int, const struct sigaction*, struct sigaction*);
using SigprocmaskFn = int (*)(int, const sigset_t*, sigset_t*);
using SignalFn = sighandler_t (*)(int, sighandler_t);
using SigsuspendFn = int (*)(const sigset_t*);

SigactionFn real_sigaction;
SigprocmaskFn real_sigprocmask;
SigprocmaskFn real_pthread_sigmask;
SignalFn real_signal;
SigsuspendFn real_sigsuspend;

// The application's view of the signals the runtime keeps for itself (zero: SIG_DFL):
// the checkpoint signal, and the one that asks for a checkpoint (request_signal.h).
struct sigaction g_app_action;
struct sigaction g_app_request_action;

// The kernel's struct sigaction (not libc's), as rt_sigaction takes it.
struct KernelSigaction {
  void* handler;
  unsigned long flags;
  void* restorer;
  uint64_t mask;
};
constexpr int kMaxSignal = 64;
constexpr unsigned long kSaRestorer = 0x04000000;  // the kernel's SA_RESTORER, every arch
KernelSigaction g_saved_actions[kMaxSignal + 1];

bool IsCheckpointSignal(int sig) { return g_config.active && sig == g_config.ckpt_signal; }

// Where the application's disposition of `sig` is kept instead of the kernel, or null
// for the signals that are all the application's.
struct sigaction* KeptAside(int sig) {
  if (IsCheckpointSignal(sig)) return &g_app_action;
  if (g_config.active && sig != 0 && sig == g_config.request_signal) return &g_app_request_action;
  return nullptr;
}

// A copy of `set` without the checkpoint signal, in `out`; returns the set to use.
const sigset_t* WithoutCheckpointSignal(const sigset_t* set, sigset_t* out) {
  if (set == nullptr || !g_config.active || !sigismember(set, g_config.ckpt_signal)) return set;
  *out = *set;
  sigdelset(out, g_config.ckpt_signal);
  return out;
}

}  // namespace

void InitSignalWrappers() {
  real_sigaction = Next<SigactionFn>("sigaction");
  real_sigprocmask = Next<SigprocmaskFn>("sigprocmask");
  real_pthread_sigmask = Next<SigprocmaskFn>("pthread_sigmask");
  real_signal = Next<SignalFn>("signal");
  real_sigsuspend = Next<SigsuspendFn>("sigsuspend");
}

int RealSigaction(int sig, const struct sigaction* act, struct sigaction* old) {
  if (real_sigaction == nullptr) InitSignalWrappers();
  return real_sigaction(sig, act, old);
}

uint64_t StatusSignalMask(const char* status_path, const char* field) {
  char text[2048];
  long fd = sys::open(status_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  long n = sys::read((int)fd, text, sizeof text - 1);
  sys::close((int)fd);
  text[n > 0 ? n : 0] = '\0';
  const char* p = __builtin_strstr(text, field);
  if (p == nullptr) return 0;
  p += __builtin_strlen(field);
  while (*p == ' ' || *p == '\t') p++;
  uint64_t mask = 0;
  maps_hex(p, text + (n > 0 ? n : 0), &mask);
  return mask;
}

namespace {

uint64_t WithoutCheckpointSignal(uint64_t mask) {
  return mask & ~(1ull << (g_config.ckpt_signal - 1));
}

bool g_emulated;  // NoteEmulation()

// The signals /proc says are pending, less the checkpoint signal. Under QEMU /proc
// describes the emulator, whose real-time signals are numbered apart from the
// program's: only the standard ones (1-31) mean the same there.
uint64_t PendingFromProc(const char* file, const char* key) {
  const uint64_t mask = WithoutCheckpointSignal(StatusSignalMask(file, key));
  return g_emulated ? mask & 0x7fffffffull : mask;
}

// Signals pending for the process as a whole at the checkpoint (no thread could take
// them: all blocked them): those with their siginfo, and the rest by number.
TakenSignals g_shared_taken;
uint64_t g_shared_pending;

}  // namespace

uint64_t ThreadPendingSignals() {
  return PendingFromProc("/proc/thread-self/status", "SigPnd:");
}

void RaiseForThisThread(uint64_t mask) {
  for (int sig = 1; sig <= 64; sig++) {
    if (mask & (1ull << (sig - 1))) sys::tgkill(sys::getpid(), sys::gettid(), sig);
  }
}

void NoteEmulation() { g_emulated = dmtcp::ThisProcessIsEmulated(); }

void TakePendingSignals(uint64_t mask, bool process, TakenSignals* out) {
  out->count = 0;
  if (g_emulated) return;
  const uint64_t own = StatusSignalMask("/proc/thread-self/status", "SigPnd:");
  const uint64_t shared = StatusSignalMask("/proc/self/status", "ShdPnd:");
  // rt_sigtimedwait looks at the thread's queue first, then the process's: only a
  // signal pending in just one of them can be taken from the queue meant.
  uint64_t set = WithoutCheckpointSignal(mask & (process ? shared & ~own : own & ~shared));
  while (set != 0 && out->count < TakenSignals::kMax) {
    siginfo_t* info = &out->info[out->count];
    if (sys::take_pending_signal(&set, info) <= 0) break;
    out->count++;
  }
}

void GiveBackSignals(TakenSignals* taken, bool process) {
  const long pid = sys::getpid();
  for (int i = 0; i < taken->count; i++) {
    siginfo_t* info = &taken->info[i];
    // The kernel takes any queued siginfo (SI_QUEUE, SI_TIMER, ...) back from its own
    // process, but one that looks sent by kill() or the kernel only from the thread it
    // claims to come from: that one comes back as a plain signal.
    const int sig = info->si_signo;
    if (process) {
      if (sys::rt_sigqueueinfo(pid, sig, info) < 0) sys::kill(pid, sig);
    } else if (sys::rt_tgsigqueueinfo(pid, sys::gettid(), sig, info) < 0) {
      sys::tgkill(pid, sys::gettid(), sig);
    }
  }
  taken->count = 0;
}

void SaveSignalDispositions() {
  for (int sig = 1; sig <= kMaxSignal; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    if (sys::rt_sigaction(sig, nullptr, &g_saved_actions[sig]) < 0) {
      g_saved_actions[sig].handler = nullptr;
    }
  }
  TakePendingSignals(~0ull, true, &g_shared_taken);
  g_shared_pending = PendingFromProc("/proc/self/status", "ShdPnd:");
}

void GiveBackProcessSignals() { GiveBackSignals(&g_shared_taken, true); }

// Handlers return through a trampoline: the C library's (sa_restorer) or the vDSO's.
// A program restarted without a vDSO (under QEMU user mode the emulator provided one
// of its own, gone now) needs one the runtime supplies, if the arch has one.
void* g_trampoline;

void AddTrampoline(KernelSigaction* a) {
  if (g_trampoline == nullptr || a->handler == SIG_DFL || a->handler == SIG_IGN ||
      (a->flags & kSaRestorer)) {
    return;
  }
  a->flags |= kSaRestorer;
  a->restorer = g_trampoline;
}

void RestoreSignalDispositions() {
  if (getauxval(AT_SYSINFO_EHDR) == 0) g_trampoline = arch_sigreturn_trampoline();
  for (int sig = 1; sig <= kMaxSignal; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    AddTrampoline(&g_saved_actions[sig]);
    sys::rt_sigaction(sig, &g_saved_actions[sig], nullptr);  // glibc's own may refuse
  }
  // Every thread blocks them still (they are all held in the checkpoint handler, and
  // their masks come back from the saved contexts), so these wait for the process.
  GiveBackProcessSignals();
  for (int sig = 1; sig <= kMaxSignal; sig++) {
    if (g_shared_pending & (1ull << (sig - 1))) sys::kill(sys::getpid(), sig);
  }
}

void ForwardSignalToApplication(int sig, siginfo_t* info, void* ucontext) {
  const struct sigaction& a = g_app_action;
  if (a.sa_handler == SIG_IGN) return;
  if (a.sa_handler == SIG_DFL) {
    // The default action of the signals we use is to terminate: do it for real.
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    RealSigaction(sig, &dfl, nullptr);
    uint64_t unblock = 1ULL << (sig - 1);
    sys::rt_sigprocmask(SIG_UNBLOCK, &unblock, nullptr);
    sys::tgkill(sys::getpid(), sys::gettid(), sig);
    return;
  }
  if (a.sa_flags & SA_SIGINFO) {
    a.sa_sigaction(sig, info, ucontext);
  } else {
    a.sa_handler(sig);
  }
}

}  // namespace rt

using rt::g_app_action;

EXPORT int sigaction(int sig, const struct sigaction* act, struct sigaction* old) {
  struct sigaction* kept = rt::KeptAside(sig);
  if (kept == nullptr) {
    if (act == nullptr || rt::g_trampoline == nullptr || act->sa_handler == SIG_DFL ||
        act->sa_handler == SIG_IGN) {
      return rt::RealSigaction(sig, act, old);
    }
    // libc's sigaction has no field for sa_restorer everywhere: go to the kernel.
    rt::KernelSigaction k = {reinterpret_cast<void*>(act->sa_handler),
                             static_cast<unsigned long>(act->sa_flags), nullptr, 0};
    memcpy(&k.mask, &act->sa_mask, sizeof k.mask);
    rt::AddTrampoline(&k);
    rt::KernelSigaction prev;
    long rc = sys::rt_sigaction(sig, &k, &prev);
    if (rc < 0) {
      errno = (int)-rc;
      return -1;
    }
    if (old != nullptr) {
      memset(old, 0, sizeof *old);
      old->sa_handler = reinterpret_cast<sighandler_t>(prev.handler);
      old->sa_flags = (int)prev.flags;
      memcpy(&old->sa_mask, &prev.mask, sizeof prev.mask);
    }
    return 0;
  }
  if (old != nullptr) *old = *kept;
  if (act != nullptr) *kept = *act;
  return 0;
}

EXPORT sighandler_t signal(int sig, sighandler_t handler) {
  struct sigaction* kept = rt::KeptAside(sig);
  if (kept == nullptr) {
    if (rt::real_signal == nullptr) rt::InitSignalWrappers();
    return rt::real_signal(sig, handler);
  }
  sighandler_t previous = kept->sa_handler;
  memset(kept, 0, sizeof *kept);
  kept->sa_handler = handler;
  kept->sa_flags = SA_RESTART;  // BSD semantics, as glibc's signal() gives
  return previous;
}

EXPORT int sigprocmask(int how, const sigset_t* set, sigset_t* old) {
  if (rt::real_sigprocmask == nullptr) rt::InitSignalWrappers();
  sigset_t copy;
  if (how == SIG_UNBLOCK) return rt::real_sigprocmask(how, set, old);
  return rt::real_sigprocmask(how, rt::WithoutCheckpointSignal(set, &copy), old);
}

EXPORT int pthread_sigmask(int how, const sigset_t* set, sigset_t* old) {
  if (rt::real_pthread_sigmask == nullptr) rt::InitSignalWrappers();
  sigset_t copy;
  if (how == SIG_UNBLOCK) return rt::real_pthread_sigmask(how, set, old);
  return rt::real_pthread_sigmask(how, rt::WithoutCheckpointSignal(set, &copy), old);
}

EXPORT int sigsuspend(const sigset_t* mask) {
  if (rt::real_sigsuspend == nullptr) rt::InitSignalWrappers();
  sigset_t copy;
  return rt::real_sigsuspend(rt::WithoutCheckpointSignal(mask, &copy));
}
