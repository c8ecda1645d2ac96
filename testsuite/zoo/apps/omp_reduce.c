// OpenMP: a parallel reduction per step (OMP_NUM_THREADS=4); the sum does not depend
// on how the iterations are shared out.
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char** argv) {
  const int steps = argc > 1 ? atoi(argv[1]) : 40;
  const int delay_ms = argc > 2 ? atoi(argv[2]) : 50;
  uint64_t acc = 1;
  for (int step = 1; step <= steps; step++) {
    uint64_t sum = 0;
#pragma omp parallel for reduction(+ : sum) schedule(dynamic, 1000)
    for (long i = 0; i < 2000000; i++) {
      uint64_t x = (uint64_t)i * 0x9E3779B97F4A7C15ull + acc + (uint64_t)step;
      x ^= x >> 29;
      sum += x * 0xBF58476D1CE4E5B9ull;
    }
    acc = acc * 1099511628211ull ^ sum;
    printf("step %d %016llx threads=%d\n", step, (unsigned long long)acc, omp_get_max_threads());
    fflush(stdout);
    usleep(delay_ms * 1000);
  }
  printf("RESULT %016llx\n", (unsigned long long)acc);
  return 0;
}
