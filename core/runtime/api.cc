// The public API a program may call when it knows it runs under checkpoint control,
// with DMTCP's names (dmtcp.h): dmtcp_is_enabled, dmtcp_checkpoint,
// dmtcp_disable_ckpt, dmtcp_enable_ckpt, dmtcp_get_generation.
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/common/raw_syscalls.h"
#include "core/protocol/protocol.h"
#include "core/runtime/checkpoint_thread.h"
#include "core/runtime/config.h"

#define EXPORT extern "C" __attribute__((visibility("default")))

namespace {

constexpr int kNotPresent = 0;
constexpr int kAfterCheckpoint = 1;
constexpr int kAfterRestart = 2;

bool SendAll(int fd, const void* data, size_t len) {
  const char* p = static_cast<const char*>(data);
  while (len > 0) {
    ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    len -= (size_t)n;
  }
  return true;
}

}  // namespace

EXPORT int dmtcp_is_enabled() { return rt::g_config.active ? 1 : 0; }

// Asks the coordinator for a blocking checkpoint of the whole computation and waits.
// Returns 1 once the image is written, 2 when returning in a restored process, 0 when
// not running under dmtcp, -1 on error.
EXPORT int dmtcp_checkpoint() {
  if (!rt::g_config.active) return kNotPresent;
  const int restarts = __atomic_load_n(&rt::g_restart_count, __ATOMIC_ACQUIRE);
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)rt::g_config.coord_port);
  inet_pton(AF_INET, rt::g_config.coord_addr, &sa.sin_addr);
  if (connect(fd, reinterpret_cast<struct sockaddr*>(&sa), sizeof sa) != 0) {
    close(fd);
    return -1;
  }
  struct msg_header h;
  memset(&h, 0, sizeof h);
  h.magic = PROTO_MAGIC;
  h.version = PROTO_VERSION;
  h.type = MSG_HELLO_COMMAND;
  h.arg[0] = CMD_BCHECKPOINT;
  struct msg_header reply;
  bool ok = SendAll(fd, &h, sizeof h);
  // This thread is frozen inside recv() during the checkpoint. In a restored process
  // the socket is gone, so the call fails; the restart counter tells us why.
  ok = ok && recv(fd, &reply, sizeof reply, MSG_WAITALL) == (ssize_t)sizeof reply;
  close(fd);
  if (__atomic_load_n(&rt::g_restart_count, __ATOMIC_ACQUIRE) != restarts) return kAfterRestart;
  return ok && reply.status == DMT_COORD_SUCCESS ? kAfterCheckpoint : -1;
}

// The number of the computation's last checkpoint (0 before the first); programs poll
// it to learn that a checkpoint they asked for has happened.
EXPORT unsigned dmtcp_get_generation() {
  return (unsigned)__atomic_load_n(&rt::g_config.ckpt_number, __ATOMIC_ACQUIRE);
}

EXPORT int dmtcp_disable_ckpt() {
  rt::DisableCheckpoints();
  return 1;
}

EXPORT int dmtcp_enable_ckpt() {
  rt::EnableCheckpoints();
  return 1;
}
