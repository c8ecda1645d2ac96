#include "core/runtime/pid_table.h"

#include "core/common/raw_syscalls.h"

namespace rt {
namespace {

constexpr int kMaxIds = 8192;

struct IdPair {
  long virtual_id, real_id;
};

// Changed only while the program's threads are stopped (at a restart), read freely.
IdPair g_ids[kMaxIds];
int g_count;
long g_vpid;

void Add(long v, long r) {
  if (v == r || g_count >= kMaxIds) return;
  for (int i = 0; i < g_count; i++) {
    if (g_ids[i].virtual_id == v) {
      g_ids[i].real_id = r;
      return;
    }
  }
  g_ids[g_count++] = {v, r};
}

}  // namespace

long VirtualToReal(long id) {
  for (int i = 0; i < g_count; i++) {
    if (g_ids[i].virtual_id == id) return g_ids[i].real_id;
  }
  return id;
}

bool AnyIdTranslated() {
  for (int i = 0; i < g_count; i++) {
    if (g_ids[i].real_id != g_ids[i].virtual_id) return true;
  }
  return false;
}

long RealToVirtual(long id) {
  for (int i = 0; i < g_count; i++) {
    if (g_ids[i].real_id == id) return g_ids[i].virtual_id;
  }
  return id;
}

long VirtualPid() { return g_vpid ? g_vpid : sys::getpid(); }
void SetVirtualPid(long vpid) { g_vpid = vpid; }

void ClearIds() { g_count = 0; }

void LoadProcessIds(const char* list) {
  const char* p = list;
  while (*p) {
    long v = 0, r = 0;
    while (*p >= '0' && *p <= '9') v = v * 10 + (*p++ - '0');
    if (*p++ != ':') break;
    while (*p >= '0' && *p <= '9') r = r * 10 + (*p++ - '0');
    Add(v, r);
    if (*p == ',') p++;
  }
}

void AddThreadId(long virtual_tid, long real_tid) { Add(virtual_tid, real_tid); }

}  // namespace rt
