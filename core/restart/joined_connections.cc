#include "core/restart/joined_connections.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "core/restart/resource_kind.h"

namespace dmtcp {
namespace {

// How long any step may wait for another host.
constexpr int kWaitMs = 30 * 1000;
constexpr char kMagic[8] = {'D', 'M', 'T', 'C', 'P', 'J', 'N', '1'};

// What each side sends first: who it is and the bytes its process had received.
struct Greeting {
  char magic[8];
  uint64_t key_hash;  // of the connection's key, so a stray client is told apart
  uint64_t bytes;     // queued bytes that follow
};

struct End {
  ConnectionEnd* end;
  std::string mine, theirs;  // "local>peer" as this end and the other end saw it
  bool listens;
  int listener = -1;
  int fd = -1;
};

// FNV-1a of the listening end's key: the same in both dmtcp_restarts.
uint64_t KeyHash(const End& e) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : e.listens ? e.mine : e.theirs) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

bool WaitFor(int fd, short events) {
  struct pollfd p = {fd, events, 0};
  int n;
  do n = poll(&p, 1, kWaitMs); while (n < 0 && errno == EINTR);
  return n == 1;
}

bool SendAll(int fd, const void* data, size_t len) {
  const char* at = static_cast<const char*>(data);
  while (len > 0) {
    if (!WaitFor(fd, POLLOUT)) return false;
    ssize_t n = send(fd, at, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) return false;
    at += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

bool ReceiveAll(int fd, void* data, size_t len) {
  char* at = static_cast<char*>(data);
  while (len > 0) {
    if (!WaitFor(fd, POLLIN)) return false;
    ssize_t n = recv(fd, at, len, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) return false;
    at += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

// Room for the greeting and the bytes sent back, so no send waits on a reader.
void MakeRoom(int fd, size_t bytes) {
  int size = static_cast<int>(bytes) * 2 + 65536;
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) != 0) {
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  }
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  }
}

bool Greet(const End& e) {
  Greeting g;
  memcpy(g.magic, kMagic, sizeof kMagic);
  g.key_hash = KeyHash(e);
  g.bytes = e.end->info->queue.size();
  return SendAll(e.fd, &g, sizeof g) && SendAll(e.fd, e.end->info->queue.data(), g.bytes);
}

// Reads the other side's greeting; its bytes are for the other process: returned.
bool ReadGreeting(const End& e, std::string* theirs) {
  Greeting g;
  if (!ReceiveAll(e.fd, &g, sizeof g) || memcmp(g.magic, kMagic, sizeof kMagic) != 0 ||
      g.key_hash != KeyHash(e) || g.bytes > (64u << 20)) {
    return false;
  }
  theirs->resize(g.bytes);
  return ReceiveAll(e.fd, theirs->data(), g.bytes);
}

// The joined connection's port may be one a restored program listens on (or will):
// reusable, it keeps no listener from being made again.
void Reusable(int fd) {
  const int one = 1;
  if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
}

int Listen(const std::string& address, std::string* where) {
  struct sockaddr_in in;
  memset(&in, 0, sizeof in);
  in.sin_family = AF_INET;
  if (inet_pton(AF_INET, address.c_str(), &in.sin_addr) != 1) return -1;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  Reusable(fd);
  socklen_t len = sizeof in;
  if (fd < 0 || bind(fd, reinterpret_cast<struct sockaddr*>(&in), sizeof in) != 0 ||
      listen(fd, 4) != 0 || getsockname(fd, reinterpret_cast<struct sockaddr*>(&in), &len) != 0) {
    if (fd >= 0) close(fd);
    return -1;
  }
  *where = absl::StrCat(address, ":", ntohs(in.sin_port));
  return fd;
}

int Connect(const std::string& where) {
  std::pair<std::string, std::string> parts = absl::StrSplit(where, absl::MaxSplits(':', 1));
  struct sockaddr_in in;
  memset(&in, 0, sizeof in);
  in.sin_family = AF_INET;
  int port = 0;
  if (inet_pton(AF_INET, parts.first.c_str(), &in.sin_addr) != 1 ||
      !absl::SimpleAtoi(parts.second, &port)) {
    return -1;
  }
  in.sin_port = htons(static_cast<uint16_t>(port));
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  Reusable(fd);
  if (fd >= 0 && connect(fd, reinterpret_cast<struct sockaddr*>(&in), sizeof in) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// An accepted connection that greets with this end's key; strays are dropped.
int AcceptFor(const End& e, std::string* theirs) {
  while (WaitFor(e.listener, POLLIN)) {
    int fd = accept4(e.listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    End probe = e;
    probe.fd = fd;
    MakeRoom(fd, e.end->info->queue.size());
    if (ReadGreeting(probe, theirs)) return fd;
    close(fd);
  }
  return -1;
}

}  // namespace

std::string SocketAddressText(const unsigned char* addr, uint32_t len) {
  if (len == 0) return "(none)";
  const auto* sa = reinterpret_cast<const struct sockaddr*>(addr);
  char text[sizeof(struct sockaddr_un) + 16] = "?";  // the longest: a socket path
  if (sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const struct sockaddr_in*>(addr);
    char ip[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip);
    snprintf(text, sizeof text, "%s:%u", ip, ntohs(in->sin_port));
  } else if (sa->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const struct sockaddr_in6*>(addr);
    char ip[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof ip);
    snprintf(text, sizeof text, "[%s]:%u", ip, ntohs(in6->sin6_port));
  } else if (sa->sa_family == AF_UNIX) {
    const auto* un = reinterpret_cast<const struct sockaddr_un*>(addr);
    snprintf(text, sizeof text, "%s%s", un->sun_path[0] ? "" : "@",
             un->sun_path[0] ? un->sun_path : un->sun_path + 1);
  } else {
    snprintf(text, sizeof text, "family %d", sa->sa_family);
  }
  return text;
}

absl::Status JoinAcrossHosts(RestartMeeting& meeting, std::vector<ConnectionEnd>& ends) {
  std::vector<End> all;
  for (ConnectionEnd& end : ends) {
    const struct img_socket& s = end.info->socket;
    End e{&end};
    const std::string local = SocketAddressText(s.local, s.local_len);
    const std::string peer = SocketAddressText(s.peer, s.peer_len);
    e.mine = absl::StrCat(local, ">", peer);
    e.theirs = absl::StrCat(peer, ">", local);
    e.listens = e.mine < e.theirs;
    all.push_back(std::move(e));
  }
  // Publish: where each listening end waits, and that each connecting end exists.
  for (End& e : all) {
    std::string where = "connects";
    if (e.listens) {
      e.listener = Listen(meeting.address(), &where);
      if (e.listener < 0) {
        return absl::InternalError(absl::StrFormat("cannot listen on %s for a connection: %s",
                                                   meeting.address(), strerror(errno)));
      }
    }
    absl::Status published = meeting.Set(e.mine, where);
    if (!published.ok()) return published;
  }
  absl::StatusOr<int64_t> present = meeting.AllPublished(absl::Milliseconds(kWaitMs));
  if (!present.ok()) return present.status();
  // Round 1: connecting ends connect and greet (a listening socket takes them before
  // anyone accepts).
  std::vector<std::string> theirs(all.size());
  std::vector<bool> wanted(all.size(), false);
  for (size_t i = 0; i < all.size(); i++) {
    End& e = all[i];
    absl::StatusOr<std::optional<std::string>> other = meeting.Get(e.theirs);
    if (!other.ok()) return other.status();
    wanted[i] = other->has_value();
    if (!wanted[i] || e.listens) continue;
    e.fd = Connect(**other);
    if (e.fd >= 0) {
      MakeRoom(e.fd, e.end->info->queue.size());
      if (!Greet(e)) {
        close(e.fd);
        e.fd = -1;
      }
    }
    if (e.fd < 0) Warn(absl::StrFormat("cannot join connection %s again at %s", e.mine, **other));
  }
  // Round 2: listening ends accept, read the greeting, greet back and return the
  // other process's bytes.
  for (size_t i = 0; i < all.size(); i++) {
    End& e = all[i];
    if (!e.listens) continue;
    if (wanted[i]) {
      e.fd = AcceptFor(e, &theirs[i]);
      if (e.fd >= 0 && !(Greet(e) && SendAll(e.fd, theirs[i].data(), theirs[i].size()))) {
        close(e.fd);
        e.fd = -1;
      }
      if (e.fd < 0) Warn(absl::StrFormat("the other end of connection %s never came back", e.mine));
    }
    close(e.listener);
  }
  // Round 3: connecting ends read the greeting back and return those bytes.
  for (size_t i = 0; i < all.size(); i++) {
    End& e = all[i];
    if (e.listens || e.fd < 0) continue;
    if (!ReadGreeting(e, &theirs[i]) || !SendAll(e.fd, theirs[i].data(), theirs[i].size())) {
      Warn(absl::StrFormat("connection %s was joined again but its queued bytes were lost", e.mine));
    }
  }
  for (End& e : all) e.end->fd = e.fd;
  return absl::OkStatus();
}

}  // namespace dmtcp
