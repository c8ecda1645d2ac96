#include "core/runtime/threads.h"

#include <errno.h>
#include <linux/rseq.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>

#include "core/common/fmt.h"
#include "core/runtime/config.h"
#include "core/runtime/log.h"
#include "core/runtime/pid_table.h"
#include "core/runtime/proc_dir.h"
#include "core/runtime/signals.h"
#include "core/common/raw_syscalls.h"

// glibc 2.35+ publishes where it registered each thread's rseq area. Weak, so that an
// older libc (no symbols) simply means no rseq to restore.
extern "C" {
extern const ptrdiff_t __rseq_offset __attribute__((weak));
extern const unsigned int __rseq_size __attribute__((weak));
}

namespace rt {
namespace {

constexpr int kMaxThreads = 16384;
constexpr long kSuspendTimeoutMs = 30000;

ThreadSlot* g_slots;   // kMaxThreads slots, mmap'd once at startup
int g_count;           // slots in use for the current checkpoint; slot 0 is ours
int g_suspend_seq;     // bumped by each thread that stops or restarts (futex word)
int g_resume_seq;      // bumped by ResumeThreads (futex word)
unsigned long g_suspend_generation;  // see SuspendGeneration()
int g_restored;        // threads back in their handler after a restart
int g_in_handler;      // threads between entering and leaving our handler

int Load(const int* p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
void Store(int* p, int v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

void Notify(int* seq) {
  __atomic_fetch_add(seq, 1, __ATOMIC_ACQ_REL);
  sys::futex_wake(seq, 1 << 30);
}

long NowMs() {
  struct timespec ts;
  sys::clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

ThreadSlot* FindSignaled(int tid) {
  for (int i = 1; i < g_count; i++) {
    if (g_slots[i].tid == tid && Load(&g_slots[i].state) == kThreadSignaled) return &g_slots[i];
  }
  return nullptr;
}

// Threads of the process that are not the program's: an emulator's own helpers (QEMU
// user mode runs an RCU thread beside the guest's). They block every signal at the
// host level and are never stopped; their memory is not the program's either.
constexpr int kMaxForeign = 8;
int g_foreign[kMaxForeign];
int g_foreign_count;

bool Known(int tid) {
  for (int i = 0; i < g_count; i++) {
    if (g_slots[i].tid == tid) return true;
  }
  for (int i = 0; i < g_foreign_count; i++) {
    if (g_foreign[i] == tid) return true;
  }
  return false;
}

// True if the kernel shows `tid` blocking the checkpoint signal.
bool BlocksCheckpointSignal(int tid) {
  char path[64];
  fmt_format(path, sizeof path, "/proc/self/task/%d/status", tid);
  return (StatusSignalMask(path, "SigBlk:") >> (g_config.ckpt_signal - 1)) & 1;
}

unsigned long ParseHex(const char** s) {
  const char* p = *s;
  while (*p == ' ') p++;
  if (p[0] == '0' && p[1] == 'x') p += 2;
  unsigned long v = 0;
  for (;; p++) {
    unsigned d;
    if (*p >= '0' && *p <= '9') d = *p - '0';
    else if (*p >= 'a' && *p <= 'f') d = *p - 'a' + 10;
    else break;
    v = v * 16 + d;
  }
  *s = p;
  return v;
}

// /proc/<tid>/syscall reads "nr arg0 ... arg5 sp pc" while the thread is blocked in a
// system call; the handler uses it to re-issue a call our signal interrupted.
void ReadBlockedCall(ThreadSlot* slot) {
  char path[64], text[256];
  fmt_format(path, sizeof path, "/proc/self/task/%d/syscall", slot->tid);
  slot->blocked_valid = 0;
  long fd = sys::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  long n = sys::read(fd, text, sizeof text - 1);
  sys::close(fd);
  if (n <= 0 || text[0] < '0' || text[0] > '9') return;  // "running" or "-1 ..."
  text[n] = '\0';
  const char* p = text;
  long nr = 0;
  while (*p >= '0' && *p <= '9') nr = nr * 10 + (*p++ - '0');
  unsigned long args[6];
  for (unsigned long& a : args) a = ParseHex(&p);
  ParseHex(&p);  // sp
  slot->blocked_nr = nr;
  slot->blocked_arg0 = (long)args[0];
  slot->blocked_pc = ParseHex(&p);
  slot->blocked_valid = 1;
}

// Signals every thread in /proc/self/task not yet asked. Returns how many it asked.
int SignalNewThreads(long pid, long self) {
  int asked = 0;
  ForEachNumberIn("/proc/self/task", [&](int tid, int) {
    if (tid == self || Known(tid)) return;
    if (g_count >= kMaxThreads) {
      Warn("more than %d threads: thread %d is not checkpointed", kMaxThreads, tid);
      return;
    }
    ThreadSlot* slot = &g_slots[g_count++];
    __builtin_memset(slot, 0, sizeof *slot);
    slot->tid = tid;
    slot->virtual_tid = (int)RealToVirtual(tid);
    ReadBlockedCall(slot);
    Store(&slot->state, kThreadSignaled);
    if (sys::tgkill(pid, tid, g_config.ckpt_signal) < 0) Store(&slot->state, kThreadUnused);
    asked++;
  });
  return asked;
}

void WaitInHandler(ThreadSlot* slot) {
  for (;;) {
    int seq = Load(&g_resume_seq);
    if (Load(&slot->state) == kThreadResumed) return;
    sys::futex_wait(&g_resume_seq, seq, nullptr);
  }
}

void CheckpointSignalHandler(int sig, siginfo_t* info, void* ucontext) {
  const int saved_errno = errno;
  ThreadSlot* const found = g_slots ? FindSignaled((int)sys::gettid()) : nullptr;
  if (found == nullptr) {
    ForwardSignalToApplication(sig, info, ucontext);
    errno = saved_errno;
    return;
  }
  __atomic_fetch_add(&g_in_handler, 1, __ATOMIC_ACQ_REL);
  // Locals written after arch_context_save() are undefined when it returns again, as
  // with setjmp; `self` is fixed before it.
  ThreadSlot* volatile self = found;
  if (found->blocked_valid && !SyscallNamesRenumberedObjects(found->blocked_nr)) {
    arch_rewind_interrupted_syscall(ucontext, found->blocked_nr, found->blocked_arg0,
                                    found->blocked_pc);
  }
  SaveCallingThread(found);
  if (arch_context_save(&found->context) == 0) {
    Store(&self->state, kThreadSuspended);
    Notify(&g_suspend_seq);
  } else {
    // A restored process: this is a new kernel thread on the old stack.
    RestoreCallingThread(self);
    self->restarted = 1;
    Store(&self->state, kThreadRestored);
    __atomic_fetch_add(&g_restored, 1, __ATOMIC_ACQ_REL);
    Notify(&g_suspend_seq);
  }
  WaitInHandler(self);
  // Only now, with the dispositions back (setting one that ignores by default would
  // discard it); held until the handler returns to the thread's saved mask.
  GiveBackSignals(&self->taken, false);
  if (self->restarted) RaiseForThisThread(self->pending);
  __atomic_fetch_sub(&g_in_handler, 1, __ATOMIC_ACQ_REL);
  errno = saved_errno;
}

}  // namespace

void InstallCheckpointHandler() {
  void* mem = sys::mmap(nullptr, sizeof(ThreadSlot) * kMaxThreads, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (sys::failed(mem)) {
    Warn("cannot allocate the thread table; checkpointing is off");
    return;
  }
  g_slots = static_cast<ThreadSlot*>(mem);
  struct sigaction sa;
  __builtin_memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = CheckpointSignalHandler;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigfillset(&sa.sa_mask);  // nothing interrupts a thread while it is frozen
  RealSigaction(g_config.ckpt_signal, &sa, nullptr);
}

void ForgetOtherThreads() {
  __atomic_store_n(&g_in_handler, 0, __ATOMIC_RELEASE);
}

void NoteForeignThreads(bool (*is_ours)(int tid)) {
  const long self = sys::gettid();
  g_foreign_count = 0;
  ForEachNumberIn("/proc/self/task", [&](int tid, int) {
    if (tid == self || is_ours(tid) || g_foreign_count >= kMaxForeign) return;
    if (BlocksCheckpointSignal(tid)) {
      g_foreign[g_foreign_count++] = tid;
      Trace("thread %d is not the program's (an emulator's?): it is left running", tid);
    }
  });
}

bool IsRestoredThread(int tid) {
  for (int i = 0; i < g_count; i++) {
    if (g_slots[i].tid == tid) return true;
  }
  return false;
}

ThreadSlot* CheckpointThreadSlot() { return &g_slots[0]; }
int ThreadCount() { return g_count; }
ThreadSlot* ThreadAt(int i) { return &g_slots[i]; }

unsigned long SuspendGeneration() { return __atomic_load_n(&g_suspend_generation, __ATOMIC_ACQUIRE); }

int SuspendThreads() {
  // Threads released by the last resume may not have left our handler yet; their
  // slots are about to be reused, so wait until they are out (they only need to be
  // scheduled once).
  for (const long since = NowMs(); Load(&g_in_handler) > 0 && NowMs() - since < kSuspendTimeoutMs;) {
    sys::sleep_ms(1);
  }
  __atomic_fetch_add(&g_suspend_generation, 1, __ATOMIC_ACQ_REL);
  const long pid = sys::getpid(), self = sys::gettid();
  g_count = 1;
  __builtin_memset(&g_slots[0], 0, sizeof g_slots[0]);
  g_slots[0].tid = (int)self;
  g_slots[0].virtual_tid = (int)RealToVirtual(self);
  g_slots[0].is_checkpoint_thread = 1;
  g_slots[0].state = kThreadSuspended;
  const long start = NowMs();
  long last_warning = start;
  for (;;) {
    int seq = Load(&g_suspend_seq);
    int asked = SignalNewThreads(pid, self);
    int waiting = 0;
    for (int i = 1; i < g_count; i++) {
      if (Load(&g_slots[i].state) != kThreadSignaled) continue;
      if (sys::tgkill(pid, g_slots[i].tid, 0) == -ESRCH) {  // exited meanwhile
        Store(&g_slots[i].state, kThreadUnused);
        continue;
      }
      waiting++;
    }
    if (asked == 0 && waiting == 0) break;
    long now = NowMs();
    if (now - last_warning >= 5000) {
      Warn("checkpoint: %d thread(s) have not stopped after %ld s (is signal %d blocked?)",
           waiting, (now - start) / 1000, g_config.ckpt_signal);
      last_warning = now;
    }
    if (now - start > kSuspendTimeoutMs) {
      Warn("checkpoint abandoned: %d thread(s) never stopped", waiting);
      for (int i = 1; i < g_count; i++) {
        int expected = kThreadSignaled;
        __atomic_compare_exchange_n(&g_slots[i].state, &expected, kThreadCancelled, false,
                                    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
      }
      ResumeThreads();
      return -1;
    }
    struct timespec tick = {0, 10 * 1000 * 1000};
    sys::futex_wait(&g_suspend_seq, seq, &tick);
  }
  g_restored = 0;
  Trace("checkpoint: %d thread(s) stopped in %ld ms", g_count - 1, NowMs() - start);
  return 0;
}

void ResumeThreads() {
  for (int i = 1; i < g_count; i++) {
    int s = Load(&g_slots[i].state);
    if (s == kThreadSuspended || s == kThreadRestored) Store(&g_slots[i].state, kThreadResumed);
  }
  Notify(&g_resume_seq);
}

void RegisterRestoredThreadIds() {
  for (int i = 0; i < g_count; i++) {
    int s = Load(&g_slots[i].state);
    if (i == 0 || s == kThreadRestored) AddThreadId(g_slots[i].virtual_tid, g_slots[i].tid);
  }
}

void WaitForRestoredThreads(int expected) {
  const long start = NowMs();
  for (;;) {
    int seq = Load(&g_suspend_seq);
    if (Load(&g_restored) >= expected) return;
    if (NowMs() - start > kSuspendTimeoutMs) {
      Warn("restart: only %d of %d threads came back", Load(&g_restored), expected);
      return;
    }
    struct timespec tick = {0, 10 * 1000 * 1000};
    sys::futex_wait(&g_suspend_seq, seq, &tick);
  }
}

// Where glibc keeps a thread's kernel id in its descriptor, as an offset from
// pthread_self(); found by LearnTidOffset(). Used when the kernel (or an emulator that
// does not implement PR_GET_TID_ADDRESS) cannot tell us the clear-tid address.
long g_tid_offset = -1;

void LearnTidOffset() {
  const int tid = (int)sys::gettid();
  if (tid == sys::getpid()) return;  // ambiguous in the main thread: leave it unknown
  const char* self = reinterpret_cast<const char*>(pthread_self());
  for (long off = 0; off < 4096; off += sizeof(int)) {
    int v;
    __builtin_memcpy(&v, self + off, sizeof v);
    if (v == tid) {
      g_tid_offset = off;
      return;
    }
  }
}

int* ThreadIdWord(unsigned long th) {
  return g_tid_offset < 0 || th == 0 ? nullptr : reinterpret_cast<int*>(th + (unsigned long)g_tid_offset);
}

void SaveCallingThread(ThreadSlot* slot) {
  slot->thread_pointer = arch_get_thread_pointer();
  sys::sigaltstack(nullptr, &slot->altstack);
  slot->clear_tid = nullptr;
  sys::prctl(PR_GET_TID_ADDRESS, (long)&slot->clear_tid);
  if (slot->clear_tid == nullptr && g_tid_offset >= 0) {
    slot->clear_tid = reinterpret_cast<char*>(pthread_self()) + g_tid_offset;
  }
  slot->robust_head = nullptr;
  slot->robust_len = 0;
  sys::get_robust_list(&slot->robust_head, &slot->robust_len);
  slot->rseq_area = nullptr;
  if (&__rseq_size != nullptr && __rseq_size > 0) {
    slot->rseq_area = static_cast<char*>(slot->thread_pointer) + __rseq_offset;
    // The kernel wants at least 32 bytes (the original struct rseq), aligned to 32.
    slot->rseq_len = __rseq_size <= 32 ? 32 : (__rseq_size + 31) & ~31u;
    slot->rseq_sig = ARCH_RSEQ_SIG;
  }
  sys::prctl(PR_GET_NAME, (long)slot->comm);
  TakePendingSignals(~0ull, false, &slot->taken);
  slot->pending = ThreadPendingSignals();
}

void RestoreCallingThread(ThreadSlot* slot) {
  const long tid = sys::gettid();
  if (slot->clear_tid != nullptr) {
    sys::set_tid_address(slot->clear_tid);
    // glibc keeps the thread's id in its descriptor (this very word) and stores it as
    // the owner of the mutexes the thread locks: it stays the id the program knew, so
    // that a recursive or error-checking mutex held across the checkpoint is still
    // the thread's own. The few glibc calls that hand it to the kernel are wrapped
    // (pthread_wrappers.cc).
    *static_cast<int*>(slot->clear_tid) = slot->virtual_tid;
  }
  if (slot->robust_head != nullptr) sys::set_robust_list(slot->robust_head, slot->robust_len);
  if (!(slot->altstack.ss_flags & SS_DISABLE)) {
    stack_t ss = slot->altstack;
    ss.ss_flags &= ~SS_ONSTACK;
    sys::sigaltstack(&ss, nullptr);
  }
  if (slot->rseq_area != nullptr) {
    auto* area = static_cast<struct rseq*>(slot->rseq_area);
    area->rseq_cs = 0;
    area->cpu_id_start = 0;
    area->cpu_id = (uint32_t)RSEQ_CPU_ID_UNINITIALIZED;
    long rc = sys::rseq(area, slot->rseq_len, 0, slot->rseq_sig);
    if (rc < 0) Trace("restart: rseq registration failed (%ld)", rc);
  }
  sys::prctl(PR_SET_NAME, (long)slot->comm);
  slot->tid = (int)tid;
}

}  // namespace rt
