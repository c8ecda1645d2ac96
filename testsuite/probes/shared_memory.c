// shared_memory GO_FILE: a parent and a child play ping-pong through memory they share
// (MAP_SHARED|MAP_ANONYMOUS, inherited across fork): each move is an atomic hand-over
// of a counter. If after a restart each had its own copy instead of one shared
// mapping, neither would see the other's move: the probe would stall and say so.
// With "posix" as second argument the board is POSIX shared memory instead
// (shm_open), which each of them opens and maps by name on its own.
// Prints "ready" once they play, then, after GO_FILE exists, "shared ok N"; exits 0.
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "probe_util.h"

struct board {
  int turn;     // 0: the parent moves, 1: the child moves, 2: game over
  long count;   // incremented by whoever moves
  long checks;  // the child's own tally, to compare at the end
};

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

// Waits until it is `me`'s turn (or the game is over); 0 on stall.
static int wait_turn(struct board* b, int me) {
  double deadline = now() + 10;
  for (;;) {
    int t = __atomic_load_n(&b->turn, __ATOMIC_ACQUIRE);
    if (t == me || t == 2) return 1;
    if (now() > deadline) return 0;
    usleep(50);
  }
}

int main(int argc, char** argv) {
  const char* go = argc > 1 ? argv[1] : "go";
  const int posix = argc > 2 && strcmp(argv[2], "posix") == 0;
  char name[64];
  struct timespec t;  // tests run side by side, maybe in pid namespaces of their own
  clock_gettime(CLOCK_REALTIME, &t);
  snprintf(name, sizeof name, "/dmtcp-probe-%d-%ld", (int)getpid(), (long)t.tv_nsec);
  struct board* b = MAP_FAILED;
  if (posix) {
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0 || ftruncate(fd, 4096) != 0) return 2;
    close(fd);
  } else {
    b = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (b == MAP_FAILED) return 2;
  }
  pid_t kid = fork();
  if (posix) {  // parent and child each open and map it
    int fd = shm_open(name, O_RDWR, 0);
    b = fd < 0 ? MAP_FAILED : mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (b == MAP_FAILED) return 2;
    close(fd);
  }
  if (kid == 0) {
    for (;;) {
      if (!wait_turn(b, 1)) _exit(3);
      if (__atomic_load_n(&b->turn, __ATOMIC_ACQUIRE) == 2) _exit(b->checks == b->count / 2 ? 0 : 4);
      b->count++;
      b->checks++;
      __atomic_store_n(&b->turn, 0, __ATOMIC_RELEASE);
    }
  }
  struct stat st;
  long moves = 0;
  int after_go = 0;
  for (;;) {
    if (!wait_turn(b, 0)) {
      SAY("shared FAILED: the child stopped answering at count %ld", b->count);
      return 1;
    }
    if (b->count != 2 * moves) {
      SAY("shared FAILED: count %ld after %ld moves each", b->count, moves);
      return 1;
    }
    b->count++;
    moves++;
    __atomic_store_n(&b->turn, 1, __ATOMIC_RELEASE);
    if (moves == 200) SAY("ready");
    if (moves > 200 && (after_go || stat(go, &st) == 0) && ++after_go > 200) break;
    usleep(200);
  }
  if (!wait_turn(b, 0)) return 1;
  __atomic_store_n(&b->turn, 2, __ATOMIC_RELEASE);
  int status;
  if (waitpid(kid, &status, 0) != kid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    SAY("shared FAILED: the child ended with status %#x", status);
    return 1;
  }
  if (posix) shm_unlink(name);
  SAY("shared ok %ld", moves);
  return 0;
}
