// family GO_FILE: a parent and a child that talk through two pipes, across a
// checkpoint and a restart of both.
//  - The parent sends 1, 2, 3, ... down one pipe; the child answers each with the
//    running sum on the other. The parent checks every answer: a byte lost or doubled
//    in either pipe breaks the sums.
//  - The child runs in its own process group and checks that its parent stays its
//    parent; the parent checks the child's group, and that waitpid() returns the
//    child's exit status (7) and SIGCHLD arrives.
// Prints "ready" once both talk, then, after GO_FILE exists, "family ok N" and exits 0.
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "probe_util.h"

static volatile sig_atomic_t sigchld;

static void on_sigchld(int sig) { sigchld++; }

static int read_full(int fd, void* buf, size_t n) {
  char* p = buf;
  while (n > 0) {
    ssize_t r = read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    p += r;
    n -= (size_t)r;
  }
  return 0;
}

static void child(int in, int out, pid_t parent) {
  setpgid(0, 0);
  uint64_t sum = 0, v;
  while (read_full(in, &v, sizeof v) == 0) {
    sum += v;
    if (getppid() != parent) sum = ~0ULL;  // tell the parent something is wrong
    if (write(out, &sum, sizeof sum) != sizeof sum) _exit(3);
  }
  _exit(7);  // the parent closed its end
}

int main(int argc, char** argv) {
  const char* go = argc > 1 ? argv[1] : "go";
  signal(SIGCHLD, on_sigchld);
  int down[2], up[2];
  if (pipe(down) != 0 || pipe(up) != 0) return 2;
  const pid_t parent = getpid();
  pid_t kid = fork();
  if (kid == 0) {
    close(down[1]);
    close(up[0]);
    child(down[0], up[1], parent);
  }
  close(down[0]);
  close(up[1]);
  struct stat st;
  uint64_t n = 0, expect = 0;
  int after_go = 0;
  for (;;) {
    n++;
    expect += n;
    uint64_t answer;
    if (write(down[1], &n, sizeof n) != sizeof n || read_full(up[0], &answer, sizeof answer) != 0) {
      SAY("family FAILED: the pipes broke at message %llu", (unsigned long long)n);
      return 1;
    }
    if (answer != expect) {
      SAY("family FAILED: message %llu answered %llu, expected %llu", (unsigned long long)n,
          (unsigned long long)answer, (unsigned long long)expect);
      return 1;
    }
    if (n == 200) SAY("ready");
    if (n > 200 && (after_go || stat(go, &st) == 0) && ++after_go > 100) break;
    usleep(500);
  }
  if (getpgid(kid) != kid) {
    SAY("family FAILED: the child's group is %d, not %d", (int)getpgid(kid), (int)kid);
    return 1;
  }
  close(down[1]);
  int status = 0;
  pid_t waited = waitpid(kid, &status, 0);
  if (waited != kid || !WIFEXITED(status) || WEXITSTATUS(status) != 7) {
    SAY("family FAILED: waitpid(%d) gave %d (%s), status %#x", (int)kid, (int)waited,
        waited < 0 ? strerror(errno) : "ok", status);
    return 1;
  }
  for (int i = 0; i < 100 && sigchld == 0; i++) usleep(10000);
  if (sigchld == 0) {
    SAY("family FAILED: no SIGCHLD");
    return 1;
  }
  SAY("family ok %llu", (unsigned long long)n);
  return 0;
}
