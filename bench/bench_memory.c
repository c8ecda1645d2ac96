// bench_memory random|zero MIB GO_FILE: holds MIB MiB of random or zero-filled
// (touched) memory, prints "ready", and once GO_FILE exists prints "resumed" and exits.
// The benchmark creates GO_FILE before restarting, so "resumed" marks the moment the
// restored process runs again.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 4) return 2;
  const int random = strcmp(argv[1], "random") == 0;
  const size_t bytes = (size_t)atol(argv[2]) << 20;
  uint64_t* mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return 2;
  uint64_t x = 88172645463325252ULL;
  for (size_t i = 0; i < bytes / 8; i++) {
    if (random) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      mem[i] = x;
    } else {
      mem[i] = 0;
    }
  }
  printf("ready\n");
  fflush(stdout);
  struct stat st;
  while (stat(argv[3], &st) != 0) usleep(2000);
  printf("resumed\n");
  fflush(stdout);
  return 0;
}
