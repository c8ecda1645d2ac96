// dmtcp_sshd ADDRESS:PORT COOKIE COMMAND-LINE
//
// The remote half of dmtcp_ssh (remote_streams.h), run on the other host under
// dmtcp_launch, so it and the command join the computation: connects back to dmtcp_ssh
// four times, runs COMMAND-LINE with sh with the first three as its stdin, stdout and
// stderr, and sends its wait status on the fourth when it ends.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/common/exit_codes.h"
#include "core/tools/remote_streams.h"

namespace dmtcp {
namespace {

int ConnectBack(const struct sockaddr_in& to, const char* cookie, RemoteStream stream) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, reinterpret_cast<const struct sockaddr*>(&to), sizeof to) != 0) {
    Fail(std::string("cannot connect back to dmtcp_ssh: ") + strerror(errno));
  }
  StreamHello hello;
  memcpy(hello.cookie, cookie, sizeof hello.cookie);
  hello.stream = stream;
  if (write(fd, &hello, sizeof hello) != sizeof hello) Fail("cannot greet dmtcp_ssh");
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

}  // namespace
}  // namespace dmtcp

int main(int argc, char** argv) {
  using namespace dmtcp;
  SetProgramName(argv[0]);
  if (argc != 4 || strlen(argv[2]) != sizeof(StreamHello::cookie)) {
    Fail("usage: dmtcp_sshd ADDRESS:PORT COOKIE COMMAND-LINE (run by dmtcp_ssh, not by hand)");
  }
  std::string where = argv[1];
  const size_t colon = where.rfind(':');
  struct sockaddr_in to = {};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(atoi(where.c_str() + colon + 1)));
  if (colon == std::string::npos ||
      inet_pton(AF_INET, where.substr(0, colon).c_str(), &to.sin_addr) != 1) {
    Fail("bad address " + where);
  }
  int fds[kStreams];
  for (int s = 0; s < kStreams; s++) fds[s] = ConnectBack(to, argv[2], static_cast<RemoteStream>(s));

  // Our own stdio belongs to the real ssh's session, which does not outlive it.
  const int null = open("/dev/null", O_RDWR);
  for (int fd = 0; fd <= 2; fd++) dup2(null, fd);
  if (null > 2) close(null);

  const pid_t child = fork();
  if (child < 0) Fail(std::string("fork: ") + strerror(errno));
  if (child == 0) {
    for (int fd = 0; fd <= 2; fd++) dup2(fds[fd], fd);  // dup2 clears close-on-exec
    execl("/bin/sh", "sh", "-c", argv[3], static_cast<char*>(nullptr));
    _exit(127);
  }
  for (int s = kStdin; s <= kStderr; s++) close(fds[s]);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  int32_t reported = status;
  if (write(fds[kStatus], &reported, sizeof reported) != sizeof reported) return 1;
  close(fds[kStatus]);
  return 0;
}
