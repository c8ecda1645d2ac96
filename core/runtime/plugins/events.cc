// Plugin: event descriptors and interval timers, each process's own.
//  - eventfd: its counter and flags; timerfd: its clock, remaining time and interval
//    (expirations not yet read are folded into one prompt expiry); signalfd: its mask;
//    epoll: every watch (descriptor, events, data), re-added once every other kind of
//    descriptor is back, so this plugin runs last on restart.
//  - alarm()/setitimer(): the remaining time and interval of each of the three timers.
// All of it is read from /proc/self/fdinfo and getitimer() at checkpoint, kept in our
// memory (which the image carries) and rebuilt after a restart.
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/time.h>
#include <sys/timerfd.h>

#include "core/common/fmt.h"
#include "core/common/raw_syscalls.h"
#include "core/runtime/fd_table.h"
#include "core/runtime/hooks.h"
#include "core/runtime/log.h"

namespace rt {
namespace {

enum class Kind { kEventfd, kTimerfd, kSignalfd, kEpoll };

struct Watch {
  int fd;
  uint32_t events;
  uint64_t data;
};

constexpr int kMaxObjects = 256;
constexpr int kMaxWatches = 4096;

struct SavedObject {
  int fd;
  Kind kind;
  int flags;  // O_NONBLOCK | O_CLOEXEC as the object was created
  uint64_t count;  // eventfd counter, or timerfd ticks pending
  int semaphore;
  int clock;
  struct itimerspec timer;
  uint64_t sigmask;
  int first_watch, n_watches;
};

SavedObject g_objects[kMaxObjects];
int g_count;
Watch g_watches[kMaxWatches];
int g_watch_count;
struct itimerval g_itimers[3];

// The value after `key` in fdinfo text, in `base`; 0 if absent.
uint64_t Field(const char* text, const char* key, int base) {
  const char* p = strstr(text, key);
  if (p == nullptr) return 0;
  p += strlen(key);
  while (*p == ' ' || *p == '\t' || *p == '(') p++;
  uint64_t v = 0;
  for (;; p++) {
    int d;
    if (*p >= '0' && *p <= '9') d = *p - '0';
    else if (base == 16 && *p >= 'a' && *p <= 'f') d = *p - 'a' + 10;
    else break;
    v = v * (uint64_t)base + (uint64_t)d;
  }
  return v;
}

// The two numbers of "key: (a, b)".
void Pair(const char* text, const char* key, long* a, long* b) {
  const char* p = strstr(text, key);
  *a = *b = 0;
  if (p == nullptr) return;
  p = strchr(p, '(');
  if (p == nullptr) return;
  *a = (long)Field(p, "(", 10);
  p = strchr(p, ',');
  if (p != nullptr) *b = (long)Field(p, ",", 10);
}

long ReadFdInfo(int fd, char* buf, size_t size) {
  char path[64];
  fmt_format(path, sizeof path, "/proc/self/fdinfo/%d", fd);
  long f = sys::open(path, O_RDONLY | O_CLOEXEC);
  if (f < 0) return f;
  long len = 0;
  for (;;) {
    long n = sys::read((int)f, buf + len, size - 1 - (size_t)len);
    if (n <= 0) break;
    len += n;
  }
  sys::close((int)f);
  buf[len > 0 ? len : 0] = '\0';
  return len;
}

bool KindOf(const char* path, Kind* kind) {
  if (strcmp(path, "anon_inode:[eventfd]") == 0) *kind = Kind::kEventfd;
  else if (strcmp(path, "anon_inode:[timerfd]") == 0) *kind = Kind::kTimerfd;
  else if (strcmp(path, "anon_inode:[signalfd]") == 0) *kind = Kind::kSignalfd;
  else if (strcmp(path, "anon_inode:[eventpoll]") == 0) *kind = Kind::kEpoll;
  else return false;
  return true;
}

bool Claims(const FdEntry& e) {
  Kind kind;
  return e.kind == FdKind::kOther && KindOf(e.path, &kind);
}

void SaveObject(FdEntry* e, Kind kind) {
  static char info[65536];  // an epoll set with many watches has a long fdinfo
  if (g_count >= kMaxObjects || ReadFdInfo(e->fd, info, sizeof info) < 0) return;
  SavedObject* o = &g_objects[g_count++];
  memset(o, 0, sizeof *o);
  o->fd = e->fd;
  o->kind = kind;
  o->flags = (e->flags & O_NONBLOCK) | (e->cloexec ? O_CLOEXEC : 0);
  switch (kind) {
    case Kind::kEventfd:
      o->count = Field(info, "eventfd-count:", 16);
      o->semaphore = (int)Field(info, "eventfd-semaphore:", 10);
      break;
    case Kind::kTimerfd: {
      o->clock = (int)Field(info, "clockid:", 10);
      o->count = Field(info, "ticks:", 10);
      long s, ns;
      Pair(info, "it_value:", &s, &ns);
      o->timer.it_value = {s, ns};
      Pair(info, "it_interval:", &s, &ns);
      o->timer.it_interval = {s, ns};
      break;
    }
    case Kind::kSignalfd:
      o->sigmask = Field(info, "sigmask:", 16);
      break;
    case Kind::kEpoll: {
      o->first_watch = g_watch_count;
      for (const char* p = strstr(info, "tfd:"); p && g_watch_count < kMaxWatches;
           p = strstr(p + 4, "tfd:")) {
        Watch* w = &g_watches[g_watch_count++];
        w->fd = (int)Field(p, "tfd:", 10);
        w->events = (uint32_t)Field(p, "events:", 16);
        w->data = Field(p, "data:", 16);
        o->n_watches++;
      }
      break;
    }
  }
  e->saved = 1;
}

void Save() {
  g_count = 0;
  g_watch_count = 0;
  for (FdEntry* e : OwnedFds(Claims)) {
    Kind kind;
    if (KindOf(e->path, &kind)) SaveObject(e, kind);
  }
  for (int which = 0; which < 3; which++) {
    if (arch_syscall2(__NR_getitimer, which, (long)&g_itimers[which]) < 0) {
      memset(&g_itimers[which], 0, sizeof g_itimers[which]);
    }
  }
}

long Create(const SavedObject& o) {
  const int nb = o.flags & O_NONBLOCK;
  switch (o.kind) {
    case Kind::kEventfd:
      return arch_syscall2(__NR_eventfd2, (long)o.count,
                           (nb ? EFD_NONBLOCK : 0) | EFD_CLOEXEC | (o.semaphore ? EFD_SEMAPHORE : 0));
    case Kind::kTimerfd: {
      long fd = arch_syscall2(__NR_timerfd_create, o.clock, (nb ? TFD_NONBLOCK : 0) | TFD_CLOEXEC);
      if (fd < 0) return fd;
      struct itimerspec t = o.timer;
      // Expirations nobody read yet: make one happen at once.
      if (o.count > 0) t.it_value = {0, 1};
      if (t.it_value.tv_sec != 0 || t.it_value.tv_nsec != 0) {
        arch_syscall4(__NR_timerfd_settime, fd, 0, (long)&t, 0);
      }
      return fd;
    }
    case Kind::kSignalfd:
      return arch_syscall4(__NR_signalfd4, -1, (long)&o.sigmask, 8,
                           (nb ? SFD_NONBLOCK : 0) | SFD_CLOEXEC);
    case Kind::kEpoll:
      return arch_syscall1(__NR_epoll_create1, EPOLL_CLOEXEC);
  }
  return -EINVAL;
}

FdEntry* EntryFor(int fd) {
  for (int i = 0; i < FdCount(); i++) {
    if (FdAt(i)->fd == fd) return FdAt(i);
  }
  return nullptr;
}

void Restore() {
  // Epoll sets after the others, and their watches once every set exists: a set can
  // watch another set (UCX nests them).
  for (int pass = 0; pass < 2; pass++) {
    for (int i = 0; i < g_count; i++) {
      const SavedObject& o = g_objects[i];
      if ((o.kind == Kind::kEpoll) != (pass == 1)) continue;
      long fd = Create(o);
      FdEntry* e = EntryFor(o.fd);
      if (fd < 0 || e == nullptr || MoveFd((int)fd, *e) < 0) {
        Warn("restart: fd %d (%s) could not be recreated (%ld)", o.fd, e ? e->path : "?", fd);
        continue;
      }
      e->restored = 1;
    }
  }
  for (int i = 0; i < g_count; i++) {
    const SavedObject& o = g_objects[i];
    const FdEntry* e = EntryFor(o.fd);
    if (e == nullptr || !e->restored) continue;
    for (int w = o.first_watch; w < o.first_watch + o.n_watches; w++) {
      struct epoll_event ev;
      ev.events = g_watches[w].events;
      ev.data.u64 = g_watches[w].data;
      long rc = arch_syscall4(__NR_epoll_ctl, o.fd, EPOLL_CTL_ADD, g_watches[w].fd, (long)&ev);
      if (rc < 0) Warn("restart: epoll fd %d lost its watch on fd %d (%ld)", o.fd, g_watches[w].fd, rc);
    }
  }
  for (int which = 0; which < 3; which++) {
    const struct itimerval& t = g_itimers[which];
    if (t.it_value.tv_sec != 0 || t.it_value.tv_usec != 0) {
      arch_syscall3(__NR_setitimer, which, (long)&t, 0);
    }
  }
}


}  // namespace

// Late: epoll watches name descriptors the other plugins restore.
RUNTIME_PLUGIN(events, .claims = Claims, .save = Save, .restore = Restore, .order = 100)

}  // namespace rt
