// Cilk: the same work-stealing fork-join as tbb_work.cc with cilk_spawn/cilk_sync
// (OpenCilk, CILK_NWORKERS=4). Debian ships no Cilk compiler: the zoo test builds this
// with $OPENCILK_CLANG (or an OpenCilk clang on PATH) and skips loudly without one.
#include <cilk/cilk.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static uint64_t Mix(uint64_t lo, uint64_t hi, uint64_t seed) {
  if (hi - lo <= 2000) {
    uint64_t h = seed;
    for (uint64_t i = lo; i < hi; i++) h = (h ^ (i * 0x9E3779B97F4A7C15ull)) * 0xBF58476D1CE4E5B9ull;
    return h;
  }
  const uint64_t mid = lo + (hi - lo) / 2;
  uint64_t left = cilk_spawn Mix(lo, mid, seed);
  uint64_t right = Mix(mid, hi, seed + 1);
  cilk_sync;
  return left * 31 + right;
}

int main(int argc, char** argv) {
  const int steps = argc > 1 ? atoi(argv[1]) : 40;
  const int delay_ms = argc > 2 ? atoi(argv[2]) : 60;
  uint64_t acc = 1;
  for (int step = 1; step <= steps; step++) {
    acc = acc * 1099511628211ull ^ Mix(0, 2000000, acc + (uint64_t)step);
    printf("step %d %016llx\n", step, (unsigned long long)acc);
    fflush(stdout);
    usleep(delay_ms * 1000);
  }
  printf("RESULT %016llx\n", (unsigned long long)acc);
  return 0;
}
