#include "core/runtime/coordinator_command.h"

#include <fcntl.h>
#include <string.h>

#include "core/common/fds.h"
#include "core/common/raw_syscalls.h"
#include "core/runtime/config.h"
#include "core/runtime/coordinator_link.h"

namespace rt {
namespace {

int g_busy;  // one call at a time owns FD_API

// The connection sits at FD_API, a number the runtime keeps out of every image: a
// caller frozen in it by a checkpoint gets no socket back in a restored process.
bool AskOnce(int command, struct msg_header* reply) {
  int fd = ConnectToCoordinator(g_config.coord_addr, g_config.coord_port);
  if (fd < 0) return false;
  if (sys::dup3(fd, FD_API, O_CLOEXEC) == FD_API) {
    sys::close(fd);
    fd = FD_API;
  }
  struct msg_header h;
  memset(&h, 0, sizeof h);
  h.magic = PROTO_MAGIC;
  h.version = PROTO_VERSION;
  h.type = MSG_HELLO_COMMAND;
  h.arg[0] = command;
  const bool ok = SendAll(fd, &h, sizeof h) == 0 && ReceiveAll(fd, reply, sizeof *reply) == 0;
  sys::close(fd);  // a payload, if any, goes with the connection
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
