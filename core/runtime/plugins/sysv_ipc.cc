// Plugin: System V IPC (shared memory segments, semaphore sets, message queues).
//
// These objects live in the kernel, outside any process, and are known by ids the
// kernel picks. After a restart dmtcp_restart creates each object again (once, however
// many processes used it) with its key, permissions and state: a segment's contents,
// a set's semaphore values, a queue's messages. The kernel gives it a new id, so the
// program's ids become virtual: the wrappers below translate them both ways.
//
// At checkpoint each process records every object it knows (from the *get calls,
// inherited across fork, and the segments attached in its maps) and where segments
// are attached. After a restart the restorer has put each segment's memory back as
// ordinary shared memory; the restart hook swaps the new segment in at the same
// address (SHM_REMAP), with the same contents, and marks it for removal again if it
// was.
//
// Not kept: semaphore undo adjustments (SEM_UNDO), the object's owner, times and
// last-operation pids; ids learnt before an exec (the table lives in memory).
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include "core/common/maps_line.h"
#include "core/common/raw_syscalls.h"
#include "core/image/format.h"
#include "core/runtime/hooks.h"
#include "core/runtime/log.h"
#include "core/runtime/restart.h"
#include "core/runtime/threads.h"
#include "core/runtime/wrappers.h"


namespace rt {
namespace {

constexpr int kMaxIds = 512;
constexpr int kMaxAttached = 256;
constexpr size_t kMapsBytes = 1 << 20;
constexpr uint64_t kMaxQueueBytes = 8 << 20;  // a queue holding more is cut
constexpr size_t kReceiveBytes = (1 << 20) + sizeof(long);  // one message at most

struct IpcId {
  int kind;  // enum img_sysv_kind; 0: free slot (written last)
  int virt;  // the program's id
  int real;  // the kernel's
};

// Where this process had a segment attached at the last checkpoint (kept in memory,
// so a restored process finds it).
struct Attached {
  uint64_t start, end, offset;
  int prot;
  int real;  // the segment's id at checkpoint time
  bool removed;
};

IpcId g_ids[kMaxIds];
pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;  // the program's threads only
Attached g_attached[kMaxAttached];
int g_n_attached;

struct RealIpc {
  int (*shmget)(key_t, size_t, int);
  void* (*shmat)(int, const void*, int);
  int (*shmctl)(int, int, struct shmid_ds*);
  int (*shmctl64)(int, int, void*);
  int (*semget)(key_t, int, int);
  int (*semctl)(int, int, int, ...);
  int (*semctl64)(int, int, int, ...);
  int (*semop)(int, struct sembuf*, size_t);
  int (*semtimedop)(int, struct sembuf*, size_t, const struct timespec*);
  int (*semtimedop64)(int, struct sembuf*, size_t, const void*);
  int (*msgget)(key_t, int);
  int (*msgsnd)(int, const void*, size_t, int);
  ssize_t (*msgrcv)(int, void*, size_t, long, int);
  int (*msgctl)(int, int, struct msqid_ds*);
  int (*msgctl64)(int, int, void*);
};
RealIpc g_ipc;
bool g_ipc_found;

template <typename Fn>
void Find(Fn* fn, const char* name) {
  *fn = Next<Fn>(name);
}

// libc's functions. Found by our constructor, or at the first call if a library's
// constructor calls one before ours ran (UCX's, loaded by MPICH, calls shmget).
const RealIpc& Ipc() {
  if (__atomic_load_n(&g_ipc_found, __ATOMIC_ACQUIRE)) return g_ipc;
  Find(&g_ipc.shmget, "shmget");
  Find(&g_ipc.shmat, "shmat");
  Find(&g_ipc.shmctl, "shmctl");
  Find(&g_ipc.shmctl64, "__shmctl64");
  Find(&g_ipc.semget, "semget");
  Find(&g_ipc.semctl, "semctl");
  Find(&g_ipc.semctl64, "__semctl64");
  Find(&g_ipc.semop, "semop");
  Find(&g_ipc.semtimedop, "semtimedop");
  Find(&g_ipc.semtimedop64, "__semtimedop64");
  Find(&g_ipc.msgget, "msgget");
  Find(&g_ipc.msgsnd, "msgsnd");
  Find(&g_ipc.msgrcv, "msgrcv");
  Find(&g_ipc.msgctl, "msgctl");
  Find(&g_ipc.msgctl64, "__msgctl64");
  __atomic_store_n(&g_ipc_found, true, __ATOMIC_RELEASE);
  return g_ipc;
}

__attribute__((constructor(RUNTIME_PLUGIN_PRIORITY))) void FindRealIpc() { Ipc(); }

IpcId* FindBy(int kind, int id, bool by_virtual) {
  for (IpcId& e : g_ids) {
    if (__atomic_load_n(&e.kind, __ATOMIC_ACQUIRE) == kind && (by_virtual ? e.virt : e.real) == id) {
      return &e;
    }
  }
  return nullptr;
}

// The program's id for the kernel's `real`, which a *get call just returned.
int Remember(int kind, int real) {
  if (real < 0) return real;
  pthread_mutex_lock(&g_lock);
  int virt = real;
  if (IpcId* e = FindBy(kind, real, false)) {
    virt = e->virt;
  } else {
    for (IpcId& slot : g_ids) {
      if (slot.kind != 0) continue;
      slot.virt = slot.real = real;
      __atomic_store_n(&slot.kind, kind, __ATOMIC_RELEASE);
      break;
    }
  }
  pthread_mutex_unlock(&g_lock);
  return virt;
}

int ToReal(int kind, int virt) {
  const IpcId* e = FindBy(kind, virt, true);
  return e ? e->real : virt;
}

// After a successful IPC_RMID a set or queue is gone at once (a segment lingers
// while attached, and stays known).
void Forget(int kind, int virt) {
  pthread_mutex_lock(&g_lock);
  if (IpcId* e = FindBy(kind, virt, true)) __atomic_store_n(&e->kind, 0, __ATOMIC_RELEASE);
  pthread_mutex_unlock(&g_lock);
}

// ---- checkpoint ----

// Notes every attached segment (the maps show them as /SYSV<key>, inode = id).
void FindAttachedSegments(char* maps) {
  g_n_attached = 0;
  long fd = sys::open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  size_t len = 0;
  for (long n; len < kMapsBytes - 1 && (n = sys::read((int)fd, maps + len, kMapsBytes - 1 - len)) > 0;) {
    len += (size_t)n;
  }
  sys::close((int)fd);
  for (const char* line = maps; line < maps + len;) {
    const char* end = line;
    while (end < maps + len && *end != '\n') end++;
    struct maps_line m;
    if (maps_parse_line(line, end, &m) == 0 && m.path_len >= 5 && memcmp(m.path, "/SYSV", 5) == 0 &&
        g_n_attached < kMaxAttached) {
      Attached& a = g_attached[g_n_attached++];
      a.start = m.start;
      a.end = m.end;
      a.offset = m.offset;
      a.prot = (m.r == 'r' ? PROT_READ : 0) | (m.w == 'w' ? PROT_WRITE : 0) | (m.x == 'x' ? PROT_EXEC : 0);
      a.real = (int)m.inode;
      a.removed = false;
      if (!FindBy(IMG_SYSV_SHM, a.real, false)) Remember(IMG_SYSV_SHM, a.real);
    }
    line = end + 1;
  }
}

bool AttachedHere(int real) {
  for (int i = 0; i < g_n_attached; i++) {
    if (g_attached[i].real == real) return true;
  }
  return false;
}

int WriteRecord(img::ImageWriter* w, struct img_sysv* rec, char* buf) {
  memcpy(buf, rec, sizeof *rec);
  return w->WriteRecord(IMG_REC_SYSV, buf, sizeof *rec + rec->bytes);
}

// Fills `rec` and the payload after it in `buf`; returns false if the object is gone.
bool Describe(const IpcId& e, struct img_sysv* rec, char* buf, size_t buf_size) {
  memset(rec, 0, sizeof *rec);
  rec->kind = (uint32_t)e.kind;
  rec->id = e.real;
  rec->virtual_id = e.virt;
  char* payload = buf + sizeof *rec;
  if (e.kind == IMG_SYSV_SHM) {
    struct shmid_ds ds;
    if (Ipc().shmctl(e.real, IPC_STAT, &ds) != 0) return false;
    rec->key = (int32_t)ds.shm_perm.__key;
    rec->mode = ds.shm_perm.mode;
    rec->size = ds.shm_segsz;
    for (int i = 0; i < g_n_attached; i++) {
      if (g_attached[i].real == e.real) g_attached[i].removed = (ds.shm_perm.mode & SHM_DEST) != 0;
    }
    if (!AttachedHere(e.real) && ds.shm_nattch == 0) {
      Warn("checkpoint: System V shared memory segment %d is attached nowhere; it is restored "
           "empty", e.virt);
    }
    return true;
  }
  if (e.kind == IMG_SYSV_SEM) {
    struct semid_ds ds;
    if (Ipc().semctl(e.real, 0, IPC_STAT, &ds) != 0) return false;
    rec->key = (int32_t)ds.sem_perm.__key;
    rec->mode = ds.sem_perm.mode;
    rec->count = (uint32_t)ds.sem_nsems;
    rec->bytes = 2ull * rec->count;
    if (rec->bytes > buf_size - sizeof *rec) return false;
    return Ipc().semctl(e.real, 0, GETALL, payload) == 0;
  }
  struct msqid_ds ds;
  if (Ipc().msgctl(e.real, IPC_STAT, &ds) != 0) return false;
  rec->key = (int32_t)ds.msg_perm.__key;
  rec->mode = ds.msg_perm.mode;
  rec->size = ds.msg_qbytes;
  // Copies each message without taking it off the queue (MSG_COPY, Linux 3.8) into
  // the receive area at the end of `buf`, then after the others in the payload.
  char* const receive = buf + buf_size - kReceiveBytes;  // long mtype, then the text
  char* out = payload;
  for (unsigned long i = 0; i < ds.msg_qnum; i++) {
    ssize_t n = Ipc().msgrcv(e.real, receive, kReceiveBytes - sizeof(long), (long)i,
                              IPC_NOWAIT | MSG_COPY | MSG_NOERROR);
    if (n < 0 || out + sizeof(struct img_sysv_msg) + (size_t)n > receive) {
      Warn("checkpoint: System V message queue %d: message %lu cannot be copied (errno %d); "
           "it is restored without it and those after it", e.virt, i, n < 0 ? errno : E2BIG);
      break;
    }
    long type;
    memcpy(&type, receive, sizeof type);
    struct img_sysv_msg head = {type, (uint64_t)n};
    memcpy(out, &head, sizeof head);
    memcpy(out + sizeof head, receive + sizeof(long), (size_t)n);
    out += sizeof head + (size_t)n;
    rec->count++;
  }
  rec->bytes = (uint64_t)(out - payload);
  return true;
}

int WriteRecords(img::ImageWriter* w) {
  const size_t buf_size = kMapsBytes + kMaxQueueBytes + kReceiveBytes;
  char* buf = static_cast<char*>(sys::mmap(nullptr, buf_size, PROT_READ | PROT_WRITE,
                                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (sys::failed(buf)) return -ENOMEM;
  FindAttachedSegments(buf);
  int rc = 0;
  for (int i = 0; i < kMaxIds && rc == 0; i++) {
    const IpcId e = g_ids[i];
    if (e.kind == 0) continue;
    struct img_sysv rec;
    if (Describe(e, &rec, buf, buf_size)) rc = WriteRecord(w, &rec, buf);
  }
  sys::munmap(buf, buf_size);
  return rc;
}

// ---- restart ----

// dmtcp_restart's "sysv=kind:old:new,..." list: the new id of each object.
void LoadNewIds() {
  static char list[8192];
  if (!RestartSetting("sysv", list, sizeof list)) return;
  for (const char* p = list; *p;) {
    long v[3] = {0, 0, 0};
    for (int k = 0; k < 3; k++) {
      while (*p >= '0' && *p <= '9') v[k] = v[k] * 10 + (*p++ - '0');
      if (k < 2 && *p++ != ':') return;
    }
    for (IpcId& e : g_ids) {
      if (e.kind == (int)v[0] && e.real == (int)v[1]) e.real = (int)v[2];
    }
    for (int i = 0; i < g_n_attached; i++) {
      if (v[0] == IMG_SYSV_SHM && g_attached[i].real == (int)v[1]) g_attached[i].real = (int)v[2];
    }
    if (*p == ',') p++;
  }
}

// Puts each segment back where it was attached, in place of the restorer's copy.
void AttachSegmentsAgain() {
  for (int i = 0; i < g_n_attached; i++) {
    const Attached& a = g_attached[i];
    const uint64_t base = a.start - a.offset;
    bool first = true;  // one shmat per attachment, at its first area
    for (int j = 0; j < i; j++) {
      first &= !(g_attached[j].real == a.real && g_attached[j].start - g_attached[j].offset == base);
    }
    if (first) {
      int flags = SHM_REMAP;
      bool writable = false, exec = false;
      for (int j = i; j < g_n_attached; j++) {
        if (g_attached[j].real != a.real || g_attached[j].start - g_attached[j].offset != base) continue;
        writable |= (g_attached[j].prot & PROT_WRITE) != 0;
        exec |= (g_attached[j].prot & PROT_EXEC) != 0;
      }
      if (!writable) flags |= SHM_RDONLY;
      if (exec) flags |= SHM_EXEC;
      void* at = Ipc().shmat(a.real, (void*)(uintptr_t)base, flags);
      if (at == (void*)-1) {
        Warn("restart: cannot attach System V shared memory segment %d at %p again (errno %d); "
             "its memory stays shared with the other processes, but not as a segment",
             a.real, (void*)(uintptr_t)base, errno);
        continue;
      }
      if (a.removed) Ipc().shmctl(a.real, IPC_RMID, nullptr);
    }
    sys::mprotect((void*)(uintptr_t)a.start, a.end - a.start, a.prot);
  }
}

void Restore() {
  LoadNewIds();
  AttachSegmentsAgain();
}

}  // namespace

bool SyscallNamesRenumberedObjects(long nr) {
  switch (nr) {
#ifdef __NR_ipc
    case __NR_ipc:  // i386: every System V call goes through it
#endif
#ifdef __NR_msgrcv
    case __NR_msgrcv:
    case __NR_msgsnd:
#endif
#ifdef __NR_semop
    case __NR_semop:
#endif
#ifdef __NR_semtimedop
    case __NR_semtimedop:
#endif
#ifdef __NR_semtimedop_time64
    case __NR_semtimedop_time64:
#endif
      return true;
    default:
      return false;
  }
}

// Runs a blocking call, again with the ids of the moment when a checkpoint (and
// perhaps a restart) interrupted it: see SyscallNamesRenumberedObjects.
template <typename Call>
auto RetryAcrossCheckpoints(Call call) -> decltype(call()) {
  for (;;) {
    const unsigned long generation = SuspendGeneration();
    auto rc = call();
    if (!(rc < 0 && errno == EINTR && SuspendGeneration() != generation)) return rc;
  }
}

}  // namespace rt

RUNTIME_PLUGIN(sysv_ipc, .write_records = rt::WriteRecords, .restore = rt::Restore)

// ---- the program's calls ----

using rt::Ipc;

EXPORT int shmget(key_t key, size_t size, int flags) {
  return rt::Remember(IMG_SYSV_SHM, Ipc().shmget(key, size, flags));
}
EXPORT void* shmat(int id, const void* addr, int flags) {
  return Ipc().shmat(rt::ToReal(IMG_SYSV_SHM, id), addr, flags);
}
EXPORT int shmctl(int id, int cmd, struct shmid_ds* buf) {
  return Ipc().shmctl(rt::ToReal(IMG_SYSV_SHM, id), cmd, buf);
}
EXPORT int __shmctl64(int id, int cmd, void* buf) {
  return Ipc().shmctl64(rt::ToReal(IMG_SYSV_SHM, id), cmd, buf);
}

EXPORT int semget(key_t key, int nsems, int flags) {
  return rt::Remember(IMG_SYSV_SEM, Ipc().semget(key, nsems, flags));
}
// semctl's fourth argument (union semun, one word) is there for some commands only.
static bool SemctlTakesArgument(int cmd) {
  switch (cmd) {
    case IPC_RMID: case GETVAL: case GETPID: case GETNCNT: case GETZCNT:
      return false;
    default:
      return true;
  }
}
// semctl and its time64 twin: `real` with the kernel's id and the word, if any.
static int Semctl(int (*real)(int, int, int, ...), int id, int num, int cmd, va_list ap) {
  const unsigned long arg = SemctlTakesArgument(cmd) ? va_arg(ap, unsigned long) : 0;
  int rc = real(rt::ToReal(IMG_SYSV_SEM, id), num, cmd, arg);
  if (rc == 0 && cmd == IPC_RMID) rt::Forget(IMG_SYSV_SEM, id);
  return rc;
}
EXPORT int semctl(int id, int num, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  const int rc = Semctl(Ipc().semctl, id, num, cmd, ap);
  va_end(ap);
  return rc;
}
EXPORT int __semctl64(int id, int num, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  const int rc = Semctl(Ipc().semctl64, id, num, cmd, ap);
  va_end(ap);
  return rc;
}
// A timed wait interrupted by a checkpoint starts its timeout again.
EXPORT int semop(int id, struct sembuf* ops, size_t n) {
  return rt::RetryAcrossCheckpoints([&] { return Ipc().semop(rt::ToReal(IMG_SYSV_SEM, id), ops, n); });
}
EXPORT int semtimedop(int id, struct sembuf* ops, size_t n, const struct timespec* timeout) {
  return rt::RetryAcrossCheckpoints(
      [&] { return Ipc().semtimedop(rt::ToReal(IMG_SYSV_SEM, id), ops, n, timeout); });
}
EXPORT int __semtimedop64(int id, struct sembuf* ops, size_t n, const void* timeout) {
  return rt::RetryAcrossCheckpoints(
      [&] { return Ipc().semtimedop64(rt::ToReal(IMG_SYSV_SEM, id), ops, n, timeout); });
}

EXPORT int msgget(key_t key, int flags) {
  return rt::Remember(IMG_SYSV_MSG, Ipc().msgget(key, flags));
}
EXPORT int msgsnd(int id, const void* msg, size_t size, int flags) {
  return rt::RetryAcrossCheckpoints(
      [&] { return Ipc().msgsnd(rt::ToReal(IMG_SYSV_MSG, id), msg, size, flags); });
}
EXPORT ssize_t msgrcv(int id, void* msg, size_t size, long type, int flags) {
  return rt::RetryAcrossCheckpoints(
      [&] { return Ipc().msgrcv(rt::ToReal(IMG_SYSV_MSG, id), msg, size, type, flags); });
}
EXPORT int msgctl(int id, int cmd, struct msqid_ds* buf) {
  int rc = Ipc().msgctl(rt::ToReal(IMG_SYSV_MSG, id), cmd, buf);
  if (rc == 0 && cmd == IPC_RMID) rt::Forget(IMG_SYSV_MSG, id);
  return rc;
}
EXPORT int __msgctl64(int id, int cmd, void* buf) {
  int rc = Ipc().msgctl64(rt::ToReal(IMG_SYSV_MSG, id), cmd, buf);
  if (rc == 0 && cmd == IPC_RMID) rt::Forget(IMG_SYSV_MSG, id);
  return rc;
}
