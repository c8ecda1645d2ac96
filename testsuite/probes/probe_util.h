// probe_util.h - shared by the probe programs the tests checkpoint: waiting for the
// test's go-ahead file, a reproducible pattern, and a checksum.
#ifndef TESTSUITE_PROBES_PROBE_UTIL_H
#define TESTSUITE_PROBES_PROBE_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

// Prints a line and flushes, so the test sees it at once.
#define SAY(...)            \
  do {                      \
    printf(__VA_ARGS__);    \
    printf("\n");           \
    fflush(stdout);         \
  } while (0)

// Blocks until the file `path` exists (the test creates it after the restart).
static inline void wait_for_file(const char* path) {
  struct stat st;
  while (stat(path, &st) != 0) usleep(20 * 1000);
}

// xorshift64*: the same sequence for the same seed, everywhere.
static inline uint64_t pattern_next(uint64_t* state) {
  uint64_t x = *state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *state = x;
  return x * 0x2545F4914F6CDD1DULL;
}

static inline void pattern_fill(uint64_t* words, size_t n, uint64_t seed) {
  uint64_t s = seed | 1;
  for (size_t i = 0; i < n; i++) words[i] = pattern_next(&s);
}

// Index of the first word that differs from the pattern, or n.
static inline size_t pattern_check(const uint64_t* words, size_t n, uint64_t seed) {
  uint64_t s = seed | 1;
  for (size_t i = 0; i < n; i++) {
    if (words[i] != pattern_next(&s)) return i;
  }
  return n;
}

static inline uint64_t checksum64(const void* data, size_t len) {
  const unsigned char* p = (const unsigned char*)data;
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < len; i++) h = (h ^ p[i]) * 1099511628211ULL;
  return h;
}

#endif  // TESTSUITE_PROBES_PROBE_UTIL_H
