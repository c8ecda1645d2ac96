// shared_output GO_FILE: a parent and a child write to the stdout they share (one open
// file description, so one offset), taking turns through two pipes; the parent also
// writes through a dup() of it. Lines: "P n", "D n", "C n" for n = 1, 2, ... If after
// a restart the descriptors had separate offsets, the writers would overwrite each
// other and the sequence in the file would break. Ends after GO_FILE plus 200 turns;
// the test reads the file. Exits 0.
#include <string.h>
#include <sys/wait.h>

#include "probe_util.h"

static void line(int fd, const char* who, long n) {
  char buf[32];
  int len = snprintf(buf, sizeof buf, "%s %ld\n", who, n);
  if (write(fd, buf, (size_t)len) != len) _exit(3);
}

int main(int argc, char** argv) {
  const char* go = argc > 1 ? argv[1] : "go";
  int to_child[2], to_parent[2];
  if (pipe(to_child) != 0 || pipe(to_parent) != 0) return 2;
  const int dup_out = dup(1);
  char token = 't';
  SAY("ready");
  pid_t kid = fork();
  if (kid == 0) {
    close(to_child[1]);
    close(to_parent[0]);
    for (long n = 1;; n++) {
      if (read(to_child[0], &token, 1) != 1) _exit(0);  // the parent is done
      line(1, "C", n);
      if (write(to_parent[1], &token, 1) != 1) _exit(4);
    }
  }
  close(to_child[0]);
  close(to_parent[1]);
  struct stat st;
  int after_go = 0;
  for (long n = 1;; n++) {
    line(1, "P", n);
    line(dup_out, "D", n);
    if (write(to_child[1], &token, 1) != 1 || read(to_parent[0], &token, 1) != 1) return 5;
    if ((after_go || stat(go, &st) == 0) && ++after_go > 200) break;
    usleep(1000);
  }
  close(to_child[1]);
  int status;
  waitpid(kid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
