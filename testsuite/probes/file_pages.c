// file_pages GO_FILE DATA_FILE: a read-only private mapping of DATA_FILE (16 pages,
// word i = (i + 1) * 0x9E3779B97F4A7C15): the image keeps only the pages the process changed, the others come from
// the file again at restart.
//  - page 3 was made writable, one word changed, and made read-only again (as the
//    loader does with relocations);
//  - page 5 was overwritten with zeros (zeros that must not come back as the file's);
//  - every other page is the file's, some read before the checkpoint, some never.
// Prints "ready", then "file_pages ok" (exit 0) or what differs.
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>

#include "probe_util.h"

enum { kPages = 16 };

// Word i of DATA_FILE (the test writes it with the same formula).
static uint64_t word_at(size_t i) { return (i + 1) * 0x9E3779B97F4A7C15ULL; }

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  const char* go = argv[1];
  const long page = sysconf(_SC_PAGESIZE);
  const size_t words = (size_t)page / 8;
  int fd = open(argv[2], O_RDONLY);
  uint64_t* map = mmap(NULL, kPages * page, PROT_READ, MAP_PRIVATE, fd, 0);
  if (fd < 0 || map == MAP_FAILED) return 2;
  close(fd);
  volatile uint64_t sum = 0;
  for (int p = 0; p < kPages; p += 2) sum += map[p * words];  // read half the pages
  char* page3 = (char*)map + 3 * page;
  char* page5 = (char*)map + 5 * page;
  mprotect(page3, page, PROT_READ | PROT_WRITE);
  ((uint64_t*)page3)[7] = 0x5eedf00d5eedf00dULL;
  mprotect(page3, page, PROT_READ);
  mprotect(page5, page, PROT_READ | PROT_WRITE);
  memset(page5, 0, page);
  mprotect(page5, page, PROT_READ);
  SAY("ready");
  wait_for_file(go);

  int bad = 0;
  for (int p = 0; p < kPages; p++) {
    const uint64_t* w = map + p * words;
    for (size_t i = 0; i < words; i++) {
      uint64_t want = word_at(p * words + i);
      if (p == 3 && i == 7) want = 0x5eedf00d5eedf00dULL;
      if (p == 5) want = 0;
      if (w[i] != want) {
        SAY("file_pages FAILED: page %d word %zu is %llx, not %llx", p, i,
            (unsigned long long)w[i], (unsigned long long)want);
        bad = 1;
        break;
      }
    }
  }
  if (bad) return 1;
  SAY("file_pages ok");
  return 0;
}
