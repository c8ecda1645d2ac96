// threads GO_FILE: 8 threads, each with its own 4 MiB region filled with its own
// pattern, a thread-local counter and a running checksum of its work. Each thread
// counts until GO_FILE exists, then proves its state: region intact, thread-local
// counter equal to the shared record of its progress, checksum recomputed equal.
// Prints "ready" once every thread has started, "thread N ok" per thread, and exits 0
// only if all are ok.
#include <pthread.h>
#include <string.h>

#include "probe_util.h"

#define THREADS 8
#define REGION_WORDS (4u << 20) / 8

static __thread uint64_t tls_count;
static uint64_t progress[THREADS];   // what each thread last reported, in shared memory
static uint64_t running_sum[THREADS];
static volatile int started;
static const char* go_file;

static void* worker(void* arg) {
  const long id = (long)arg;
  uint64_t* region = malloc(REGION_WORDS * 8);
  pattern_fill(region, REGION_WORDS, 1000 + (uint64_t)id);
  __atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
  struct stat st;
  uint64_t sum = 0;
  while (stat(go_file, &st) != 0) {
    tls_count++;
    sum = sum * 31 + tls_count;
    __atomic_store_n(&progress[id], tls_count, __ATOMIC_SEQ_CST);
    running_sum[id] = sum;
    usleep(2000);
  }
  uint64_t expect = 0;
  for (uint64_t i = 1; i <= tls_count; i++) expect = expect * 31 + i;
  size_t bad = pattern_check(region, REGION_WORDS, 1000 + (uint64_t)id);
  int ok = bad == REGION_WORDS && tls_count == progress[id] && expect == sum &&
           sum == running_sum[id] && tls_count > 0;
  SAY("thread %ld %s count=%llu region_bad_word=%zu", id, ok ? "ok" : "FAILED",
      (unsigned long long)tls_count, bad);
  return (void*)(long)ok;
}

int main(int argc, char** argv) {
  go_file = argc > 1 ? argv[1] : "go";
  pthread_t t[THREADS];
  for (long i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, worker, (void*)i);
  while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) < THREADS) usleep(1000);
  SAY("ready");
  int all_ok = 1;
  for (int i = 0; i < THREADS; i++) {
    void* ok;
    pthread_join(t[i], &ok);
    all_ok &= (long)ok == 1;
  }
  SAY("%s", all_ok ? "all threads ok" : "SOME THREADS FAILED");
  return all_ok ? 0 : 1;
}
