#include "core/runtime/coordinator_link.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/common/fds.h"
#include "core/common/fmt.h"
#include "core/common/raw_syscalls.h"
#include "core/runtime/config.h"
#include "core/runtime/log.h"
#include "core/runtime/pid_table.h"

namespace rt {
namespace {

// FD_COORD, except while a new connection says hello beside the inherited one.
int g_coord_fd = FD_COORD;

bool ParseIpv4(const char* s, uint32_t* out) {
  uint32_t addr = 0;
  for (int part = 0; part < 4; part++) {
    if (*s < '0' || *s > '9') return false;
    uint32_t v = 0;
    while (*s >= '0' && *s <= '9') v = v * 10 + (uint32_t)(*s++ - '0');
    if (v > 255 || (part < 3 && *s++ != '.')) return false;
    addr = addr << 8 | v;
  }
  *out = htonl(addr);
  return *s == '\0';
}

}  // namespace

int SendAll(int fd, const void* data, size_t len) {
  const char* p = static_cast<const char*>(data);
  while (len > 0) {
    long n = arch_syscall6(__NR_sendto, fd, (long)p, (long)len, MSG_NOSIGNAL, 0, 0);
    if (n == -EINTR) continue;
    if (n < 0) return (int)n;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

int ReceiveAll(int fd, void* data, size_t len) {
  char* p = static_cast<char*>(data);
  while (len > 0) {
    long n = sys::read(fd, p, len);
    if (n == -EINTR) continue;
    if (n == 0) return -ECONNRESET;
    if (n < 0) return (int)n;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

int ConnectToCoordinator(const char* addr, int port) {
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)port);
  if (!ParseIpv4(addr, &sa.sin_addr.s_addr)) return -EINVAL;
  long fd = sys::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return (int)fd;
  // A message is a header and a payload, written one after the other: with Nagle's
  // algorithm the payload waited for the coordinator's delayed ACK, 40 ms a phase.
  const int one = 1;
  sys::setsockopt((int)fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  // Its port must not keep a restored listener of the same port from being made again.
  sys::setsockopt((int)fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  long rc;
  do {
    rc = sys::connect((int)fd, &sa, sizeof sa);
  } while (rc == -EINTR);
  if (rc < 0) {
    sys::close((int)fd);
    return (int)rc;
  }
  return (int)fd;
}

int CoordSend(int type, int32_t status, int64_t a0, int64_t a1, int64_t a2, const char* payload) {
  struct msg_header h;
  memset(&h, 0, sizeof h);
  h.magic = PROTO_MAGIC;
  h.version = PROTO_VERSION;
  h.type = (uint16_t)type;
  h.payload_len = payload ? (uint32_t)strlen(payload) : 0;
  h.status = status;
  h.arg[0] = a0;
  h.arg[1] = a1;
  h.arg[2] = a2;
  int rc = SendAll(g_coord_fd, &h, sizeof h);
  if (rc == 0 && h.payload_len) rc = SendAll(g_coord_fd, payload, h.payload_len);
  return rc;
}

int CoordReceive(CoordMessage* m) {
  int rc = ReceiveAll(g_coord_fd, &m->header, sizeof m->header);
  if (rc < 0) return rc;
  if (m->header.magic != PROTO_MAGIC || m->header.payload_len > PROTO_MAX_PAYLOAD) return -EPROTO;
  rc = ReceiveAll(g_coord_fd, m->payload, m->header.payload_len);
  m->payload[rc == 0 ? m->header.payload_len : 0] = '\0';
  return rc;
}

bool PayloadValue(const char* payload, const char* key, char* out, size_t size) {
  const size_t klen = strlen(key);
  for (const char* line = payload; *line;) {
    const char* end = strchr(line, '\n');
    if (end == nullptr) end = line + strlen(line);
    if ((size_t)(end - line) > klen && memcmp(line, key, klen) == 0 && line[klen] == '=') {
      size_t n = (size_t)(end - line) - klen - 1;
      if (n >= size) n = size - 1;
      memcpy(out, line + klen + 1, n);
      out[n] = '\0';
      return true;
    }
    line = *end ? end + 1 : end;
  }
  return false;
}

int CoordConnect(const char* addr, int port, bool restarted, const char* image) {
  const int fd = ConnectToCoordinator(addr, port);
  if (fd < 0) return fd;
  // The connection at FD_COORD deliberately survives exec. After an exec (or in a
  // forked child) the new connection says hello first and replaces the inherited one
  // only once it is welcome: the coordinator never sees this process gone in between,
  // so a checkpoint under way counts it (and --exit-on-last does not fire).
  g_coord_fd = fd;
  char hello[IMG_PATH_MAX * 2 + 512];
  fmt_format(hello, sizeof hello,
             "prog=%s\nhost=%s\nuniq=%s\nckptdir=%s\nckpt=%lu\nimage=%s\nvpid=%ld\n",
             g_config.prog, g_config.host, g_config.uniq, g_config.ckptdir,
             (unsigned long)g_config.ckpt_number, image ? image : "", VirtualPid());
  int rc = CoordSend(MSG_HELLO_WORKER, 0, sys::getpid(), restarted ? WORKER_F_RESTARTED : 0,
                 g_config.interval, hello);
  static CoordMessage welcome;
  if (rc == 0) rc = CoordReceive(&welcome);
  if (rc == 0 && welcome.header.type == MSG_REFUSED) {
    char why[256] = "";
    PayloadValue(welcome.payload, "error", why, sizeof why);
    Warn("the coordinator refuses this process: %s", why);
    rc = -EACCES;
  }
  if (rc == 0 && welcome.header.type != MSG_WELCOME) rc = -EPROTO;
  if (rc == 0) rc = (int)sys::dup3(fd, FD_COORD, 0);
  g_coord_fd = FD_COORD;
  sys::close(fd);
  if (rc < 0) return rc;
  // The coordinator knows the ids of the computation: ours (after an exec of a
  // restored process) and the others'.
  char value[64];
  if (PayloadValue(welcome.payload, "vpid", value, sizeof value) && value[0] != '\0') {
    SetVirtualPid(atol(value));
  }
  PayloadValue(welcome.payload, "compid", g_config.compid, sizeof g_config.compid);
  static char pids[PROTO_MAX_PAYLOAD];
  if (PayloadValue(welcome.payload, "pids", pids, sizeof pids)) LoadProcessIds(pids);
  Trace("joined coordinator %s:%d as client %ld", addr, port, (long)welcome.header.arg[0]);
  return 0;
}

}  // namespace rt
