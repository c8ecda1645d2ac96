#include "core/common/fault.h"

#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>

#include "arch/arch.h"

static char g_point[64];    /* empty: no fault */
static long g_hit_to_fail;  /* which hit of g_point fails, from 1 */
static long g_hits;
static int g_kill;

static int same(const char* a, const char* b) {
  while (*a != '\0' && *a == *b) a++, b++;
  return *a == *b;
}

void fault_configure(const char* spec) {
  g_point[0] = '\0';
  g_hits = 0;
  g_kill = 0;
  if (spec == 0) return;
  unsigned n = 0;
  while (spec[n] != '\0' && spec[n] != ':' && n + 1 < sizeof g_point) g_point[n] = spec[n], n++;
  g_point[n] = '\0';
  if (spec[n] != ':') {  /* no count: not a spec we understand, so no fault */
    g_point[0] = '\0';
    return;
  }
  const char* p = spec + n + 1;
  g_hit_to_fail = 0;
  while (*p >= '0' && *p <= '9') g_hit_to_fail = g_hit_to_fail * 10 + (*p++ - '0');
  g_kill = same(p, ":kill");
  if (g_hit_to_fail < 1 || (*p != '\0' && !g_kill)) g_point[0] = '\0';
}

int fault_check(const char* point) {
  if (g_point[0] == '\0' || !same(g_point, point) || ++g_hits != g_hit_to_fail) return 0;
  if (g_kill) arch_syscall2(__NR_kill, arch_syscall0(__NR_getpid), SIGKILL);
  return -EIO;
}
