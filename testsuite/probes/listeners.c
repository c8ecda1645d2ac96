// listeners GO_FILE: two listening sockets on one port, side by side as servers set
// them up: [::]:P with IPV6_V6ONLY and 0.0.0.0:P (with SO_REUSEADDR). Restoring the
// IPv6 one without IPV6_V6ONLY would take the IPv4 port too and the second would fail.
// Prints "ready"; after GO_FILE exists, connects to 127.0.0.1:P and [::1]:P, accepts
// each on its own listener, prints "listeners ok" and exits 0.
// Plus a listener without SO_REUSEADDR and a connection it accepted, whose server end
// has shut down writing: when the process is killed that end goes to TIME_WAIT on the
// listener's port, which must not keep the listener from listening again at restart.
// With "anyport" after GO_FILE the IPv4 listener is tried on the port it has then,
// printed as "IPv4 port now N" (a restart may have had to give it another).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "probe_util.h"

static int check_accepts(int listener, int family, int port) {
  int c = socket(family, SOCK_STREAM, 0);
  struct sockaddr_storage a;
  memset(&a, 0, sizeof a);
  socklen_t len;
  if (family == AF_INET) {
    struct sockaddr_in* in = (struct sockaddr_in*)&a;
    in->sin_family = AF_INET;
    in->sin_port = htons((unsigned short)port);
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof *in;
  } else {
    struct sockaddr_in6* in6 = (struct sockaddr_in6*)&a;
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons((unsigned short)port);
    in6->sin6_addr = in6addr_loopback;
    len = sizeof *in6;
  }
  if (connect(c, (struct sockaddr*)&a, len) != 0) return 0;
  int s = accept(listener, NULL, NULL);
  int ok = s >= 0;
  close(c);
  if (s >= 0) close(s);
  return ok;
}

// The port `fd` listens on.
static int port_of(int fd) {
  struct sockaddr_storage a;
  socklen_t len = sizeof a;
  if (getsockname(fd, (struct sockaddr*)&a, &len) != 0) return -1;
  return ntohs(((struct sockaddr_in*)&a)->sin_port);
}

int main(int argc, char** argv) {
  const char* go = argc > 1 ? argv[1] : "go";
  const int any_port = argc > 2 && strcmp(argv[2], "anyport") == 0;
  int one = 1;
  int v6 = socket(AF_INET6, SOCK_STREAM, 0);
  if (v6 < 0) {
    SAY("listeners: no IPv6 here");
    return 3;
  }
  setsockopt(v6, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  struct sockaddr_in6 a6;
  memset(&a6, 0, sizeof a6);
  a6.sin6_family = AF_INET6;
  a6.sin6_addr = in6addr_any;
  socklen_t len = sizeof a6;
  if (bind(v6, (struct sockaddr*)&a6, sizeof a6) != 0 || listen(v6, 4) != 0 ||
      getsockname(v6, (struct sockaddr*)&a6, &len) != 0) {
    SAY("listeners: cannot listen on IPv6 here");
    return 3;
  }
  const int port = ntohs(a6.sin6_port);
  int v4 = socket(AF_INET, SOCK_STREAM, 0);
  setsockopt(v4, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a4;
  memset(&a4, 0, sizeof a4);
  a4.sin_family = AF_INET;
  a4.sin_port = htons((unsigned short)port);
  a4.sin_addr.s_addr = htonl(INADDR_ANY);
  if (bind(v4, (struct sockaddr*)&a4, sizeof a4) != 0 || listen(v4, 4) != 0) {
    SAY("listeners FAILED: cannot listen on 0.0.0.0:%d beside [::]:%d", port, port);
    return 1;
  }
  int plain = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in ap;
  memset(&ap, 0, sizeof ap);
  ap.sin_family = AF_INET;
  ap.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  len = sizeof ap;
  int held_client = socket(AF_INET, SOCK_STREAM, 0);
  if (bind(plain, (struct sockaddr*)&ap, sizeof ap) != 0 || listen(plain, 4) != 0 ||
      getsockname(plain, (struct sockaddr*)&ap, &len) != 0 ||
      connect(held_client, (struct sockaddr*)&ap, sizeof ap) != 0) {
    SAY("listeners FAILED: cannot set up the plain listener");
    return 1;
  }
  int held = accept(plain, NULL, NULL);
  shutdown(held, SHUT_WR);  // this end closes first: TIME_WAIT will be on its side
  const int plain_port = ntohs(ap.sin_port);
  SAY("port %d", port);
  SAY("ready");
  wait_for_file(go);
  int v6only = 0;
  len = sizeof v6only;
  getsockopt(v6, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &len);
  const int port4 = any_port ? port_of(v4) : port;
  if (any_port) SAY("IPv4 port now %d", port4);
  const int ok4 = check_accepts(v4, AF_INET, port4), ok6 = check_accepts(v6, AF_INET6, port);
  const int ok_plain = check_accepts(plain, AF_INET, plain_port);
  if (!ok4 || !ok6 || !v6only || !ok_plain) {
    SAY("listeners FAILED: IPv4 %s, IPv6 %s, IPV6_V6ONLY %d, plain listener %s", ok4 ? "ok" : "broken",
        ok6 ? "ok" : "broken", v6only, ok_plain ? "ok" : "broken");
    return 1;
  }
  SAY("listeners ok");
  return 0;
}
