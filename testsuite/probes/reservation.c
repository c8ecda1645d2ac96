// reservation MIB GO_FILE: reserves MIB MiB of address space with MAP_NORESERVE, as
// Java and Go reserve their heaps (far more than the machine could commit), and writes
// a marker into 16 pages spread over it. After GO_FILE exists, checks the markers and
// that a page between them is still zero: "reservation ok" (exit 0).
#include <string.h>
#include <sys/mman.h>

#include "probe_util.h"

#define MARKS 16

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  const size_t bytes = (size_t)strtoull(argv[1], NULL, 10) << 20;
  const char* go = argv[2];
  char* base = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED) {
    SAY("reservation FAILED: cannot reserve %s MiB", argv[1]);
    return 2;
  }
  const size_t step = bytes / MARKS;
  for (size_t i = 0; i < MARKS; i++) *(uint64_t*)(base + i * step) = 0xabcd0000 + i;
  SAY("ready");
  wait_for_file(go);
  for (size_t i = 0; i < MARKS; i++) {
    const uint64_t seen = *(uint64_t*)(base + i * step);
    if (seen != 0xabcd0000 + i) {
      SAY("reservation FAILED: mark %zu is %#llx", i, (unsigned long long)seen);
      return 1;
    }
    if (*(uint64_t*)(base + i * step + step / 2) != 0) {
      SAY("reservation FAILED: an untouched page between marks %zu and %zu is not zero", i, i + 1);
      return 1;
    }
  }
  SAY("reservation ok");
  return 0;
}
