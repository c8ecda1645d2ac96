// deleted_shm GO_FILE: a file in /dev/shm created, mapped shared and unlinked, its
// descriptor kept (as MPI libraries do; with shm_open, which opens with O_NOFOLLOW,
// as UCX does). After the restart the descriptor and the
// mapping must still be one object: bytes written through either are seen by the
// other, and the contents written before the checkpoint are there.
// And a file deleted while open but not mapped (as Open MPI keeps /dev/shm/open_mpi.0000):
// it must come back with its contents, its offset, and still without a name.
// Prints "ready"; after GO_FILE exists prints "deleted_shm ok" and exits 0.
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
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

  enum { kGhostWords = 12500 };  // 100000 bytes
  static uint64_t ghost_words[kGhostWords];
  pattern_fill(ghost_words, kGhostWords, 7);
  snprintf(name, sizeof name, "/dev/shm/dmtcp-ghost-%d-%ld", (int)getpid(), (long)t.tv_nsec);
  const int ghost = open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
  if (ghost < 0 || write(ghost, ghost_words, sizeof ghost_words) != sizeof ghost_words) return 2;
  unlink(name);
  lseek(ghost, 12344, SEEK_SET);
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
  memset(ghost_words, 0, sizeof ghost_words);
  struct stat st;
  const off_t at = lseek(ghost, 0, SEEK_CUR);
  if (at != 12344 || fstat(ghost, &st) != 0 || st.st_size != sizeof ghost_words || st.st_nlink != 0 ||
      pread(ghost, ghost_words, sizeof ghost_words, 0) != sizeof ghost_words ||
      pattern_check(ghost_words, kGhostWords, 7) != kGhostWords) {
    SAY("deleted_shm FAILED: the deleted, unmapped file came back wrong (offset %ld, size %ld, "
        "links %ld, first bad word %zu)", (long)at, (long)st.st_size, (long)st.st_nlink,
        pattern_check(ghost_words, kGhostWords, 7));
    failures++;
  }
  if (failures) return 1;
  SAY("deleted_shm ok");
  return 0;
}
