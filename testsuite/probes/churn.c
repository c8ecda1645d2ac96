// churn GO_FILE: threads are created and exit all the time, checkpoint or not. Each
// short-lived thread adds its number to a running total; main checks the total
// against the arithmetic series after every join. Prints "ready", then "churn ok N"
// and exits 0 when GO_FILE exists, or exits 1 at the first wrong total.
#include <pthread.h>

#include "probe_util.h"

static uint64_t total;

static void* add(void* arg) {
  // Atomic: the four threads run at once (all released together after a checkpoint),
  // and a plain += would lose updates by itself.
  __atomic_fetch_add(&total, (uint64_t)(uintptr_t)arg, __ATOMIC_RELAXED);
  usleep(100);
  return NULL;
}

int main(int argc, char** argv) {
  const char* go = argc > 1 ? argv[1] : "go";
  struct stat st;
  uint64_t n = 0;
  for (;;) {
    pthread_t t[4];
    for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, add, (void*)(uintptr_t)(n + i + 1));
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    n += 4;
    if (total != n * (n + 1) / 2) {
      SAY("churn FAILED at %llu: total %llu", (unsigned long long)n, (unsigned long long)total);
      return 1;
    }
    if (n == 400) SAY("ready");
    if (n > 400 && stat(go, &st) == 0) break;
  }
  SAY("churn ok %llu", (unsigned long long)n);
  return 0;
}
