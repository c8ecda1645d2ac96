// outside_peer PORT GO_FILE: a TCP connection to a server outside the computation.
// Connects to 127.0.0.1:PORT and prints "fd=N" and "ready"; answers each "ping" line with
// "pong" and counts. When the connection reads as closed (after a restart: the peer
// was not checkpointed) it prints "outside_peer closed", then waits for GO_FILE,
// prints "outside_peer ok" and exits 0.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "probe_util.h"

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)atoi(argv[1]));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr*)&a, sizeof a) != 0) {
    SAY("outside_peer FAILED: cannot connect to port %s", argv[1]);
    return 2;
  }
  SAY("fd=%d", fd);
  SAY("ready");
  unsigned long pongs = 0;
  for (;;) {
    char buf[64];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) continue;  // EINTR
    if (n == 0) break;
    if (write(fd, "pong\n", 5) == 5) pongs++;
  }
  SAY("outside_peer closed after %lu pongs", pongs);
  wait_for_file(argv[2]);
  SAY("outside_peer ok");
  return 0;
}
