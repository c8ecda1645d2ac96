// sockets MODE GO_FILE, MODE = unix-stream | unix-dgram | tcp: a parent and a child
// exchange numbered messages over a socketpair (or a TCP connection on the loopback),
// the parent keeping up to 8 requests in flight, so that bytes sit in the socket
// queues when a checkpoint comes. Every answer must be 2n+1 for request n, in order:
// a lost, doubled or reordered byte or datagram fails. In tcp mode, after GO_FILE the
// child also opens a second connection to the parent's listening socket, which must
// still accept. Prints "ready", then "sockets ok N"; exits 0.
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "probe_util.h"

#define WINDOW 8

static int xfer(int fd, void* buf, size_t n, int sending) {
  char* p = buf;
  while (n > 0) {
    ssize_t r = sending ? send(fd, p, n, MSG_NOSIGNAL) : recv(fd, p, n, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    p += r;
    n -= (size_t)r;
  }
  return 0;
}

static void child(int fd, struct sockaddr_in* listen_addr, const char* go) {
  uint64_t n;
  int second_done = listen_addr == NULL;
  struct stat st;
  for (;;) {
    if (xfer(fd, &n, sizeof n, 0) != 0) _exit(3);
    if (n == 0) _exit(second_done ? 42 : 5);
    uint64_t answer = 2 * n + 1;
    if (xfer(fd, &answer, sizeof answer, 1) != 0) _exit(4);
    if (!second_done && stat(go, &st) == 0) {
      int s = socket(AF_INET, SOCK_STREAM, 0);
      if (connect(s, (struct sockaddr*)listen_addr, sizeof *listen_addr) != 0) _exit(6);
      if (xfer(s, "hello", 5, 1) != 0) _exit(7);
      close(s);
      second_done = 1;
    }
  }
}

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  const char* mode = argv[1];
  const char* go = argv[2];
  int fds[2], listener = -1;
  struct sockaddr_in addr;
  if (strcmp(mode, "tcp") == 0) {
    listener = socket(AF_INET, SOCK_STREAM, 0);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(listener, (struct sockaddr*)&addr, sizeof addr) != 0 || listen(listener, 4) != 0 ||
        getsockname(listener, (struct sockaddr*)&addr, &len) != 0) {
      return 2;
    }
  } else if (socketpair(AF_UNIX, strcmp(mode, "unix-dgram") == 0 ? SOCK_DGRAM : SOCK_STREAM, 0, fds) != 0) {
    return 2;
  }
  pid_t kid = fork();
  if (kid == 0) {
    if (listener >= 0) {
      close(listener);
      int c = socket(AF_INET, SOCK_STREAM, 0);
      if (connect(c, (struct sockaddr*)&addr, sizeof addr) != 0) _exit(2);
      child(c, &addr, go);
    }
    close(fds[0]);
    child(fds[1], NULL, go);
  }
  int fd = listener >= 0 ? accept(listener, NULL, NULL) : fds[0];
  if (listener < 0) close(fds[1]);
  struct stat st;
  uint64_t sent = 0, answered = 0;
  int after_go = 0;
  for (;;) {
    while (sent < answered + WINDOW) {
      sent++;
      if (xfer(fd, &sent, sizeof sent, 1) != 0) {
        SAY("sockets FAILED: sending %llu", (unsigned long long)sent);
        return 1;
      }
    }
    uint64_t answer;
    if (xfer(fd, &answer, sizeof answer, 0) != 0) {
      SAY("sockets FAILED: no answer after %llu", (unsigned long long)answered);
      return 1;
    }
    answered++;
    if (answer != 2 * answered + 1) {
      SAY("sockets FAILED: answer %llu to request %llu", (unsigned long long)answer,
          (unsigned long long)answered);
      return 1;
    }
    if (answered == 500) SAY("ready");
    if (answered > 500 && (after_go || stat(go, &st) == 0) && ++after_go > 300) break;
    usleep(200);
  }
  while (answered < sent) {  // collect what is still in flight
    uint64_t answer;
    if (xfer(fd, &answer, sizeof answer, 0) != 0 || answer != 2 * ++answered + 1) {
      SAY("sockets FAILED: the last answers");
      return 1;
    }
  }
  if (listener >= 0) {
    int second = accept(listener, NULL, NULL);
    char hello[6] = "";
    if (second < 0 || xfer(second, hello, 5, 0) != 0 || strcmp(hello, "hello") != 0) {
      SAY("sockets FAILED: the listening socket did not take a new connection");
      return 1;
    }
  }
  uint64_t zero = 0;
  xfer(fd, &zero, sizeof zero, 1);
  int status;
  if (waitpid(kid, &status, 0) != kid || !WIFEXITED(status) || WEXITSTATUS(status) != 42) {
    SAY("sockets FAILED: the child ended with status %#x", status);
    return 1;
  }
  SAY("sockets ok %llu", (unsigned long long)answered);
  return 0;
}
