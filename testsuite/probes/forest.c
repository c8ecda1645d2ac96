// forest N GO_FILE: N processes in one tree (process i forks processes 3i+1..3i+3 that
// are below N), for load tests. Each adds up a running sum, one term every 20 ms,
// until GO_FILE exists, then checks the sum against its closed form (a lost or
// repeated stretch of its life breaks it) and exits with the size of its subtree, as
// its children reported it through waitpid (so parents and children must be parents
// and children again after a restart). Process N-1 prints "ready" (others may still
// be starting); after GO_FILE the root prints "forest ok N" (exit 0) or "forest FAILED".
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "probe_util.h"

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  const int n = atoi(argv[1]);
  const char* go = argv[2];
  if (n < 1 || n > 3 * 85) return 2;  // a subtree's size must fit an exit status
  int index = 0, children = 0;
  pid_t kids[3];
  for (int c = 1; c <= 3 && 3 * index + c < n; c++) {
    const pid_t pid = fork();
    if (pid < 0) return 2;
    if (pid == 0) {
      index = 3 * index + c;
      children = 0;
      c = 0;  // the child forks its own, from its first
      continue;
    }
    kids[children++] = pid;
  }
  if (index == n - 1) SAY("ready");
  unsigned long ticks = 0, sum = 0;
  const unsigned long weight = (unsigned long)index + 1;
  struct stat st;
  while (stat(go, &st) != 0) {
    ticks++;
    sum += ticks * weight;
    usleep(20000);
  }
  int ok = sum == weight * (ticks * (ticks + 1) / 2);
  int size = 1;
  for (int k = 0; k < children; k++) {
    int status;
    if (waitpid(kids[k], &status, 0) != kids[k] || !WIFEXITED(status) || WEXITSTATUS(status) == 0) {
      ok = 0;
    } else {
      size += WEXITSTATUS(status);
    }
  }
  if (index != 0) return ok ? size : 0;
  if (!ok || size != n) {
    SAY("forest FAILED: %d of %d processes finished well", size, n);
    return 1;
  }
  SAY("forest ok %d", size);
  return 0;
}
