// fifo GO_FILE: a parent sends 1, 2, 3, ... to a child through a FIFO (a named pipe),
// up to 8 ahead, and the child acknowledges each through a pipe. The child checks the
// sequence: a byte lost or doubled in the FIFO across the restart fails it.
// Prints "ready", then "fifo ok N"; exits 0.
#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>

#include "probe_util.h"

static int xfer(int fd, void* buf, size_t n, int sending) {
  char* p = buf;
  while (n > 0) {
    ssize_t r = sending ? write(fd, p, n) : read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    p += r;
    n -= (size_t)r;
  }
  return 0;
}

int main(int argc, char** argv) {
  const char* go = argc > 1 ? argv[1] : "go";
  unlink("the.fifo");
  if (mkfifo("the.fifo", 0600) != 0) return 2;
  int acks[2];
  if (pipe(acks) != 0) return 2;
  pid_t kid = fork();
  if (kid == 0) {
    close(acks[0]);
    int in = open("the.fifo", O_RDONLY);
    for (uint64_t expect = 1;; expect++) {
      uint64_t n;
      if (xfer(in, &n, sizeof n, 0) != 0) _exit(3);
      if (n == 0) _exit(42);
      if (n != expect) _exit(4);
      if (xfer(acks[1], &n, sizeof n, 1) != 0) _exit(5);
    }
  }
  close(acks[1]);
  int out = open("the.fifo", O_WRONLY);
  struct stat st;
  uint64_t sent = 0, acked = 0;
  int after_go = 0;
  for (;;) {
    while (sent < acked + 8) {
      sent++;
      if (xfer(out, &sent, sizeof sent, 1) != 0) {
        SAY("fifo FAILED: writing %llu", (unsigned long long)sent);
        return 1;
      }
    }
    uint64_t ack;
    if (xfer(acks[0], &ack, sizeof ack, 0) != 0 || ack != ++acked) {
      SAY("fifo FAILED: acknowledgement %llu", (unsigned long long)acked);
      return 1;
    }
    if (acked == 300) SAY("ready");
    if (acked > 300 && (after_go || stat(go, &st) == 0) && ++after_go > 200) break;
    usleep(300);
  }
  while (acked < sent) {
    uint64_t ack;
    if (xfer(acks[0], &ack, sizeof ack, 0) != 0 || ack != ++acked) return 1;
  }
  uint64_t zero = 0;
  xfer(out, &zero, sizeof zero, 1);
  int status;
  if (waitpid(kid, &status, 0) != kid || !WIFEXITED(status) || WEXITSTATUS(status) != 42) {
    SAY("fifo FAILED: the child ended with status %#x", status);
    return 1;
  }
  SAY("fifo ok %llu", (unsigned long long)acked);
  return 0;
}
