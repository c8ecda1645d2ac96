#include "core/runtime/coordinator_command.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include "arch/arch.h"
#include "core/common/fds.h"
#include "core/common/raw_syscalls.h"
#include "core/runtime/config.h"

namespace rt {
namespace {

int g_busy;  // one call at a time owns FD_API

bool SendAll(int fd, const void* data, size_t len) {
  const char* p = static_cast<const char*>(data);
  while (len > 0) {
    long n = arch_syscall6(__NR_sendto, fd, (long)p, (long)len, MSG_NOSIGNAL, 0, 0);
    if (n == -EINTR) continue;
    if (n <= 0) return false;
    p += n;
    len -= (size_t)n;
  }
  return true;
}

bool ReceiveAll(int fd, void* data, size_t len) {
  char* p = static_cast<char*>(data);
  while (len > 0) {
    long n = arch_syscall6(__NR_recvfrom, fd, (long)p, (long)len, 0, 0, 0);
    if (n == -EINTR) continue;
    if (n <= 0) return false;
    p += n;
    len -= (size_t)n;
  }
  return true;
}

// The connection sits at FD_API, a number the runtime keeps out of every image: a
// caller frozen in it by a checkpoint gets no socket back in a restored process.
bool AskOnce(int command, struct msg_header* reply) {
  long fd = sys::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  if (sys::dup3((int)fd, FD_API, O_CLOEXEC) == FD_API) {
    sys::close((int)fd);
    fd = FD_API;
  }
  const int one = 1;  // the header goes out at once
  sys::setsockopt((int)fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)g_config.coord_port);
  inet_pton(AF_INET, g_config.coord_addr, &sa.sin_addr);
  bool ok = sys::connect((int)fd, &sa, sizeof sa) == 0;
  struct msg_header h;
  memset(&h, 0, sizeof h);
  h.magic = PROTO_MAGIC;
  h.version = PROTO_VERSION;
  h.type = MSG_HELLO_COMMAND;
  h.arg[0] = command;
  ok = ok && SendAll((int)fd, &h, sizeof h) && ReceiveAll((int)fd, reply, sizeof *reply);
  sys::close((int)fd);  // a payload, if any, goes with the connection
  return ok;
}

}  // namespace

bool AskCoordinator(int command, struct msg_header* reply) {
  while (__atomic_exchange_n(&g_busy, 1, __ATOMIC_ACQUIRE)) sys::sleep_ms(1);
  const bool ok = AskOnce(command, reply);
  __atomic_store_n(&g_busy, 0, __ATOMIC_RELEASE);
  return ok;
}

bool TryAskCoordinator(int command, struct msg_header* reply) {
  if (__atomic_exchange_n(&g_busy, 1, __ATOMIC_ACQUIRE)) return false;
  const bool ok = AskOnce(command, reply);
  __atomic_store_n(&g_busy, 0, __ATOMIC_RELEASE);
  return ok;
}

}  // namespace rt
