#include "core/runtime/checkpoint_thread.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "arch/arch.h"
#include "core/api/dmtcp.h"
#include "core/common/fmt.h"
#include "core/common/raw_syscalls.h"
#include "core/runtime/checkpoint.h"
#include "core/runtime/children.h"
#include "core/runtime/config.h"
#include "core/runtime/coordinator_link.h"
#include "core/runtime/fd_table.h"
#include "core/runtime/hooks.h"
#include "core/runtime/plugins/sockets.h"
#include "core/runtime/log.h"
#include "core/runtime/plugin_api.h"
#include "core/runtime/restart.h"
#include "core/runtime/threads.h"

namespace rt {

int g_restart_count;
int g_checkpoint_count;
int g_checkpoint_tid;  // the kernel's id of the checkpoint thread (in this process)

namespace {

int g_disabled;        // dmtcp_disable_ckpt() nesting (futex word)
int g_joined;          // 0 until the checkpoint thread has joined or given up (futex word)

void SignalJoined() {
  __atomic_store_n(&g_joined, 1, __ATOMIC_RELEASE);
  sys::futex_wake(&g_joined, 1 << 30);
}
bool g_suspended;      // between a successful SUSPEND and RESUME

void WaitUntilEnabled() {
  for (;;) {
    int d = __atomic_load_n(&g_disabled, __ATOMIC_ACQUIRE);
    if (d == 0) return;
    sys::futex_wait(&g_disabled, d, nullptr);
  }
}

void ReplyDone(uint64_t number, int phase, int status, const char* payload) {
  CoordSend(MSG_PHASE_DONE, status, (int64_t)number, phase, 0, payload);
}

void HandlePhase(const CoordMessage& m) {
  const uint64_t number = (uint64_t)m.header.arg[0];
  const int phase = (int)m.header.arg[1];
  switch (phase) {
    case PHASE_SUSPEND: {
      WaitUntilEnabled();
      ExternalPluginEvent(DMTCP_EVENT_PRESUSPEND, false);
      g_suspended = SuspendThreads() == 0;
      if (g_suspended) {
        WaitForChildrenToJoin();
        // The coordinator moves on to saving only when every process answered: by
        // then no byte is left in flight between them.
        ScanFds();
        ClaimFds();
        RunHooks(Event::kDrain);
      }
      ReplyDone(number, phase, g_suspended ? 0 : EAGAIN,
                g_suspended ? "" : "error=some threads did not stop\n");
      return;
    }
    case PHASE_CHECKPOINT: {
      if (!g_suspended) {
        ReplyDone(number, phase, EAGAIN, "error=threads were not suspended\n");
        return;
      }
      char dir[IMG_PATH_MAX];
      if (!PayloadValue(m.payload, "ckptdir", dir, sizeof dir) || dir[0] != '/') {
        strcpy(dir, g_config.ckptdir);
      }
      if (g_config.unique_ckpt) {
        const size_t n = strlen(dir);
        fmt_format(dir + n, sizeof dir - n, "/ckpt_%s_%05lu", g_config.compid[0] ? g_config.compid : "local",
                   (unsigned long)number);
        sys::mkdir(dir, 0700);  // the first process of the computation makes it
      }
      // A child that took part but was already exiting has left the computation; wait
      // until it is a zombie, which the image then records.
      WaitForChildrenToJoin();
      ScanFds();
      ClaimFds();
      RunHooks(Event::kPreCheckpoint);
      WarnUnsavedFds();
      static CheckpointResult result;  // large; the checkpoint thread's stack is not
      char processes[24] = "";
      uint64_t total = 0;  // processes of the computation, on every host
      PayloadValue(m.payload, "processes", processes, sizeof processes);
      for (const char* c = processes; *c >= '0' && *c <= '9'; c++) total = total * 10 + (uint64_t)(*c - '0');
      if (TakeCheckpoint(number, total, dir, &result) == CheckpointOutcome::kRestarted) {
        g_suspended = false;
        g_restart_count++;
        FinishRestart();
        return;
      }
      static char payload[IMG_PATH_MAX + 16384];
      if (result.error == 0) {
        __atomic_fetch_add(&g_checkpoint_count, 1, __ATOMIC_ACQ_REL);
        size_t n = fmt_format(payload, sizeof payload, "image=%s\nbytes=%lu\n", result.image,
                              (unsigned long)result.bytes);
        DescribeConnections(payload + n, sizeof payload - n);
      } else {
        fmt_format(payload, sizeof payload, "error=cannot write the image in %s (errno %d)\n",
                   dir, -result.error);
        Warn("checkpoint %lu: cannot write the image in %s (errno %d)", (unsigned long)number,
             dir, -result.error);
      }
      ReplyDone(number, phase, -result.error, payload);
      return;
    }
    case PHASE_RESUME:
      if (g_suspended) {
        RunHooks(Event::kResume);
        ResumeThreads();
        g_suspended = false;
        ExternalPluginEvent(DMTCP_EVENT_RUNNING, false);
      }
      ReplyDone(number, phase, 0, "");
      return;
    default:
      ReplyDone(number, phase, EINVAL, "error=unknown phase\n");
  }
}

}  // namespace

bool CheckpointInProgress() { return __atomic_load_n(&g_suspended, __ATOMIC_ACQUIRE); }

bool OnCheckpointThread() { return sys::gettid() == __atomic_load_n(&g_checkpoint_tid, __ATOMIC_ACQUIRE); }

void NoteCheckpointThreadId() { __atomic_store_n(&g_checkpoint_tid, (int)sys::gettid(), __ATOMIC_RELEASE); }

namespace {

void ServeCoordinator() {
  static CoordMessage m;
  for (;;) {
    int rc = CoordReceive(&m);
    if (rc < 0) {
      Trace("lost the coordinator (errno %d); no more checkpoints", -rc);
      if (g_suspended) ResumeThreads();
      return;
    }
    if (m.header.type == MSG_PHASE) {
      HandlePhase(m);
    } else if (m.header.type == MSG_KILL) {
      sys::kill(sys::getpid(), SIGKILL);
    }
  }
}

void* CheckpointThreadMain(void*) {
  const uint64_t all = ~0ull;
  sys::rt_sigprocmask(SIG_SETMASK, &all, nullptr);  // no signal is for this thread
  NoteCheckpointThreadId();
  LearnTidOffset();
  int rc = CoordConnect(g_config.coord_addr, g_config.coord_port, false, nullptr);
  // The name tells a parent waiting at a checkpoint that we have joined (children.h).
  sys::prctl(PR_SET_NAME, (long)(rc < 0 ? kUnjoinedThreadName : kJoinedThreadName));
  SignalJoined();
  if (rc < 0) {
    Warn("cannot reach the coordinator at %s:%d (errno %d); this process will not be "
         "checkpointed", g_config.coord_addr, g_config.coord_port, -rc);
    return nullptr;
  }
  ServeCoordinator();
  return nullptr;
}

}  // namespace

void StartCheckpointThread() {
  pthread_t thread;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  // Start it with every signal blocked, so none reaches it before it blocks them.
  const uint64_t all = ~0ull;
  uint64_t old;
  sys::rt_sigprocmask(SIG_SETMASK, &all, &old);
  __atomic_store_n(&g_joined, 0, __ATOMIC_RELEASE);
  int rc = pthread_create(&thread, &attr, CheckpointThreadMain, nullptr);
  // Set our own thread pointer again: QEMU user mode keeps one GDT for all of an i386
  // guest's threads and reloads %gs from it on every sigreturn, so the last thread to
  // set its TLS there is the one a returning signal handler hands its TLS to. Ours is
  // the thread that takes the checkpoint signal; the checkpoint thread never does.
  arch_set_thread_pointer(arch_get_thread_pointer());
  sys::rt_sigprocmask(SIG_SETMASK, &old, nullptr);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    Warn("cannot start the checkpoint thread (%d); checkpointing is off", rc);
    return;
  }
  // The program starts only once it is part of the computation, so a checkpoint asked
  // for right after it starts includes it.
  struct timespec limit = {5, 0};
  while (__atomic_load_n(&g_joined, __ATOMIC_ACQUIRE) == 0) {
    if (sys::futex_wait(&g_joined, 0, &limit) == -ETIMEDOUT) break;
  }
}

void DisableCheckpoints() { __atomic_fetch_add(&g_disabled, 1, __ATOMIC_ACQ_REL); }

void EnableCheckpoints() {
  if (__atomic_sub_fetch(&g_disabled, 1, __ATOMIC_ACQ_REL) <= 0) {
    __atomic_store_n(&g_disabled, 0, __ATOMIC_RELEASE);
    sys::futex_wake(&g_disabled, 1);
  }
}

}  // namespace rt
