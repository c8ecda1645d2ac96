// oneTBB: work-stealing fork-join (task_group) over a recursive computation per step;
// the result does not depend on which worker stole which task.
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_group.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace {

// A tree of tasks: each node spawns two halves until the range is small.
uint64_t Mix(uint64_t lo, uint64_t hi, uint64_t seed) {
  if (hi - lo <= 2000) {
    uint64_t h = seed;
    for (uint64_t i = lo; i < hi; i++) h = (h ^ (i * 0x9E3779B97F4A7C15ull)) * 0xBF58476D1CE4E5B9ull;
    return h;
  }
  const uint64_t mid = lo + (hi - lo) / 2;
  uint64_t left = 0, right = 0;
  tbb::task_group group;
  group.run([&] { left = Mix(lo, mid, seed); });
  group.run([&] { right = Mix(mid, hi, seed + 1); });
  group.wait();
  return left * 31 + right;
}

}  // namespace

int main(int argc, char** argv) {
  const int steps = argc > 1 ? atoi(argv[1]) : 40;
  const int delay_ms = argc > 2 ? atoi(argv[2]) : 60;
  tbb::global_control workers(tbb::global_control::max_allowed_parallelism, 4);
  uint64_t acc = 1;
  for (int step = 1; step <= steps; step++) {
    acc = acc * 1099511628211ull ^ Mix(0, 2000000, acc + static_cast<uint64_t>(step));
    std::printf("step %d %016llx\n", step, static_cast<unsigned long long>(acc));
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
  }
  std::printf("RESULT %016llx\n", static_cast<unsigned long long>(acc));
  return 0;
}
