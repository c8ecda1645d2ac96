// memory GO_FILE: 512 MiB of a known pseudo-random pattern and 512 MiB of zeros
// (written, so the pages exist). Prints "ready" when both are in place; once GO_FILE
// exists, checks every word of both, prints "memory ok" and exits 0 (1 on damage).
#include <string.h>
#include <sys/mman.h>

#include "probe_util.h"

#define HALF (512ul << 20)

int main(int argc, char** argv) {
  const char* go = argc > 1 ? argv[1] : "go";
  uint64_t* random = mmap(NULL, HALF, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  uint64_t* zeros = mmap(NULL, HALF, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (random == MAP_FAILED || zeros == MAP_FAILED) return 2;
  pattern_fill(random, HALF / 8, 0x5eed);
  memset(zeros, 0, HALF);  // touch every page: present, and all zero
  SAY("ready");
  wait_for_file(go);
  size_t bad_random = pattern_check(random, HALF / 8, 0x5eed);
  size_t bad_zero = HALF / 8;
  for (size_t i = 0; i < HALF / 8; i++) {
    if (zeros[i] != 0) {
      bad_zero = i;
      break;
    }
  }
  int ok = bad_random == HALF / 8 && bad_zero == HALF / 8;
  SAY("memory %s (first bad random word %zu, first bad zero word %zu, of %lu)",
      ok ? "ok" : "DAMAGED", bad_random, bad_zero, HALF / 8);
  return ok ? 0 : 1;
}
