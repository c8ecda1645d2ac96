// deleted_shm GO_FILE: a file in /dev/shm created, mapped shared and unlinked, its
// descriptor kept (as MPI libraries do; with shm_open, which opens with O_NOFOLLOW,
// as UCX does). After the restart the descriptor and the
// mapping must still be one object: bytes written through either are seen by the
// other, and the contents written before the checkpoint are there.
// Prints "ready"; after GO_FILE exists prints "deleted_shm ok" and exits 0.
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "probe_util.h"

int main(int argc, char** argv) {
  const char* go = argc > 1 ? argv[1] : "go";
  char name[96];
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  snprintf(name, sizeof name, "/dmtcp-deleted-%d-%ld", (int)getpid(), (long)t.tv_nsec);
  const int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
  if (fd < 0 || ftruncate(fd, 1 << 16) != 0) return 2;
  uint64_t* map = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) return 2;
  shm_unlink(name);
  pattern_fill(map, (1 << 16) / 8, 99);
  SAY("ready");
  wait_for_file(go);

  int failures = 0;
  if (pattern_check(map, (1 << 16) / 8, 99) != (1 << 16) / 8) {
    SAY("deleted_shm FAILED: the mapping lost its contents");
    failures++;
  }
  uint64_t via_fd = 0;
  if (pread(fd, &via_fd, sizeof via_fd, 8) != sizeof via_fd || via_fd != map[1]) {
    SAY("deleted_shm FAILED: the descriptor does not read the mapping");
    failures++;
  }
  const uint64_t marker = 0x1234567890abcdefULL;
  if (pwrite(fd, &marker, sizeof marker, 16) != sizeof marker || map[2] != marker) {
    SAY("deleted_shm FAILED: a write through the descriptor is not seen in the mapping");
    failures++;
  }
  if (failures) return 1;
  SAY("deleted_shm ok");
  return 0;
}
