#include "core/protocol/wire.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace dmtcp {
namespace {

// Debian's Abseil has its own string_view type, distinct from std::string_view.
absl::string_view Absl(std::string_view text) { return {text.data(), text.size()}; }

absl::Status ErrnoError(std::string_view what, int err) {
  return absl::UnavailableError(absl::StrCat(Absl(what), ": ", std::strerror(err)));
}

// Milliseconds poll() should wait before `deadline`; -1 means forever.
int PollTimeoutMs(absl::Time deadline) {
  if (deadline == absl::InfiniteFuture()) return -1;
  absl::Duration left = deadline - absl::Now();
  if (left <= absl::ZeroDuration()) return 0;
  // Round up so we never spin with a zero timeout just before the deadline.
  return static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(left) + 1, 1 << 30));
}

// Waits until fd has `events` ready. DeadlineExceeded once `deadline` passes.
absl::Status WaitFor(int fd, short events, absl::Time deadline) {
  while (true) {
    struct pollfd pfd = {fd, events, 0};
    int n = poll(&pfd, 1, PollTimeoutMs(deadline));
    if (n > 0) return absl::OkStatus();
    if (n == 0) return absl::DeadlineExceededError("timed out");
    if (errno != EINTR) return ErrnoError("poll", errno);
  }
}

// Reads exactly `size` bytes. `*got` tells how many arrived before an error or EOF,
// so the caller can tell "closed between messages" from "closed mid-message".
absl::Status ReadExactly(int fd, char* buffer, size_t size, absl::Time deadline,
                         size_t* got) {
  *got = 0;
  while (*got < size) {
    absl::Status ready = WaitFor(fd, POLLIN, deadline);
    if (!ready.ok()) return ready;
    ssize_t n = read(fd, buffer + *got, size - *got);
    if (n > 0) {
      *got += static_cast<size_t>(n);
    } else if (n == 0) {
      return absl::UnavailableError("connection closed");
    } else if (errno != EINTR && errno != EAGAIN) {
      return ErrnoError("read", errno);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateHeader(const msg_header& header) {
  if (header.magic != PROTO_MAGIC) {
    return absl::DataLossError(
        absl::StrFormat("bad message magic 0x%08x: the peer does not speak the "
                        "coordinator protocol",
                        header.magic));
  }
  if (header.version != PROTO_VERSION) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "protocol version %d, expected %d", header.version, PROTO_VERSION));
  }
  if (header.payload_len > PROTO_MAX_PAYLOAD) {
    return absl::DataLossError(absl::StrFormat("payload of %u bytes exceeds the limit of %d",
                                               header.payload_len, PROTO_MAX_PAYLOAD));
  }
  return absl::OkStatus();
}

absl::Status SendMessage(int fd, int type, int32_t status, int64_t a0, int64_t a1,
                         int64_t a2, std::string_view payload) {
  if (payload.size() > PROTO_MAX_PAYLOAD) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "payload of %d bytes exceeds the limit of %d", payload.size(), PROTO_MAX_PAYLOAD));
  }
  msg_header header;
  std::memset(&header, 0, sizeof(header));
  header.magic = PROTO_MAGIC;
  header.version = PROTO_VERSION;
  header.type = static_cast<uint16_t>(type);
  header.payload_len = static_cast<uint32_t>(payload.size());
  header.status = status;
  header.arg[0] = a0;
  header.arg[1] = a1;
  header.arg[2] = a2;

  // One buffer, so a message normally leaves in one segment.
  std::string bytes(reinterpret_cast<const char*>(&header), sizeof(header));
  bytes.append(payload.data(), payload.size());
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == ENOTSOCK) n = write(fd, bytes.data() + sent, bytes.size() - sent);
    if (n >= 0) {
      sent += static_cast<size_t>(n);
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      absl::Status ready = WaitFor(fd, POLLOUT, absl::InfiniteFuture());
      if (!ready.ok()) return ready;
    } else if (errno != EINTR) {
      return ErrnoError("send", errno);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Message> ReceiveMessage(int fd, absl::Duration timeout) {
  absl::Time deadline = timeout == absl::InfiniteDuration() ? absl::InfiniteFuture()
                                                            : absl::Now() + timeout;
  Message message;
  size_t got = 0;
  absl::Status status = ReadExactly(fd, reinterpret_cast<char*>(&message.header),
                                    sizeof(message.header), deadline, &got);
  if (absl::IsDeadlineExceeded(status)) {
    return absl::DeadlineExceededError(absl::StrCat(
        "no message within ", absl::FormatDuration(timeout),
        got == 0 ? "" : " (a message started but did not finish)"));
  }
  if (!status.ok()) {
    if (got > 0) return absl::UnavailableError("connection closed in the middle of a message");
    return status;
  }
  absl::Status valid = ValidateHeader(message.header);
  if (!valid.ok()) return valid;

  message.payload.resize(message.header.payload_len);
  status = ReadExactly(fd, message.payload.data(), message.payload.size(), deadline, &got);
  if (absl::IsDeadlineExceeded(status)) {
    return absl::DeadlineExceededError(
        absl::StrCat("message payload incomplete after ", absl::FormatDuration(timeout)));
  }
  if (!status.ok()) return absl::UnavailableError("connection closed in the middle of a message");
  if (message.header.type == MSG_REFUSED) {
    return absl::PermissionDeniedError(absl::StrCat("the coordinator refuses this connection: ",
                                                    ParseKeyValues(message.payload)["error"]));
  }
  return message;
}

absl::StatusOr<std::optional<Message>> MessageDecoder::Next() {
  if (buffer_.size() < sizeof(msg_header)) return std::nullopt;
  Message message;
  std::memcpy(&message.header, buffer_.data(), sizeof(msg_header));
  absl::Status valid = ValidateHeader(message.header);
  if (!valid.ok()) return valid;
  size_t total = sizeof(msg_header) + message.header.payload_len;
  if (buffer_.size() < total) return std::nullopt;
  message.payload = buffer_.substr(sizeof(msg_header), message.header.payload_len);
  buffer_.erase(0, total);
  return std::optional<Message>(std::move(message));
}

std::string FitPayload(std::string payload, size_t limit) {
  if (payload.size() <= limit) return payload;
  constexpr size_t kMarkRoom = 32;  // "truncated=N\n"
  size_t keep = limit > kMarkRoom ? limit - kMarkRoom : 0;
  keep = keep == 0 ? 0 : payload.rfind('\n', keep - 1) + 1;  // npos + 1 == 0: no line fits
  size_t dropped = static_cast<size_t>(
      std::count(payload.begin() + static_cast<std::ptrdiff_t>(keep), payload.end(), '\n'));
  if (payload.back() != '\n') dropped++;  // a last line without its newline
  payload.resize(keep);
  absl::StrAppend(&payload, "truncated=", dropped, "\n");
  return payload;
}

std::vector<std::pair<std::string, std::string>> KeyValueLines(std::string_view payload) {
  std::vector<std::pair<std::string, std::string>> lines;
  for (absl::string_view line : absl::StrSplit(Absl(payload), '\n', absl::SkipEmpty())) {
    size_t eq = line.find('=');
    if (eq == absl::string_view::npos) continue;
    lines.emplace_back(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
  }
  return lines;
}

absl::flat_hash_map<std::string, std::string> ParseKeyValues(std::string_view payload) {
  absl::flat_hash_map<std::string, std::string> values;
  for (auto& [key, value] : KeyValueLines(payload)) values[key] = std::move(value);
  return values;
}

std::string FormatKeyValues(const absl::flat_hash_map<std::string, std::string>& values) {
  std::vector<std::pair<std::string, std::string>> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  std::string text;
  for (const auto& [key, value] : sorted) absl::StrAppend(&text, key, "=", value, "\n");
  return text;
}

namespace {

// getaddrinfo for IPv4 stream sockets; the caller frees the list.
absl::StatusOr<struct addrinfo*> LookupIpv4(std::string_view host, int port) {
  struct addrinfo hints;
  std::memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  // "localhost" is the loopback address whatever /etc/hosts says or lacks (RFC 6761);
  // containers and chroots often have no /etc/hosts at all.
  std::string host_text = absl::EqualsIgnoreCase(Absl(host), "localhost") ? "127.0.0.1" : std::string(host);
  std::string port_text = std::to_string(port);
  struct addrinfo* found = nullptr;
  int rc = getaddrinfo(host_text.c_str(), port_text.c_str(), &hints, &found);
  if (rc != 0) {
    return absl::NotFoundError(
        absl::StrCat("cannot resolve host '", Absl(host), "': ", gai_strerror(rc)));
  }
  return found;
}

std::string Ipv4Text(const struct sockaddr* address) {
  char text[INET_ADDRSTRLEN] = "";
  const auto* in = reinterpret_cast<const struct sockaddr_in*>(address);
  inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
  return text;
}

// One connection attempt to one address.
absl::StatusOr<int> ConnectTo(const struct addrinfo& address, absl::Time deadline) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return ErrnoError("socket", errno);
  // Messages are small and answered at once: Nagle's algorithm would hold a payload
  // back until the peer's delayed ACK (40 ms).
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  // Its ephemeral port may be one a restored program listened on before: reusable, it
  // does not keep that listener from being made again.
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  int rc = connect(fd, address.ai_addr, address.ai_addrlen);
  if (rc < 0 && errno == EINPROGRESS) {
    absl::Status ready = WaitFor(fd, POLLOUT, deadline);
    if (!ready.ok()) {
      close(fd);
      return absl::DeadlineExceededError("connection timed out");
    }
    int error = 0;
    socklen_t length = sizeof(error);
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
    rc = error == 0 ? 0 : -1;
    errno = error;
  }
  if (rc < 0) {
    int saved = errno;
    close(fd);
    return absl::UnavailableError(std::strerror(saved));
  }
  // Callers expect ordinary blocking reads and writes.
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

}  // namespace

absl::StatusOr<int> ConnectTcp(std::string_view host, int port, absl::Duration timeout) {
  absl::StatusOr<struct addrinfo*> found = LookupIpv4(host, port);
  if (!found.ok()) return found.status();
  absl::Time deadline = timeout == absl::InfiniteDuration() ? absl::InfiniteFuture()
                                                            : absl::Now() + timeout;
  absl::Status last = absl::UnavailableError("no address");
  for (struct addrinfo* a = *found; a != nullptr; a = a->ai_next) {
    absl::StatusOr<int> fd = ConnectTo(*a, deadline);
    if (fd.ok()) {
      freeaddrinfo(*found);
      return fd;
    }
    last = fd.status();
  }
  freeaddrinfo(*found);
  return absl::Status(last.code(), absl::StrCat("cannot connect to ", Absl(host), ":", port, ": ",
                                                last.message()));
}

absl::StatusOr<std::string> ResolveNumericIpv4(std::string_view host) {
  absl::StatusOr<struct addrinfo*> found = LookupIpv4(host, 0);
  if (!found.ok()) return found.status();
  std::string text = Ipv4Text((*found)->ai_addr);
  freeaddrinfo(*found);
  return text;
}

bool IsLocalHost(std::string_view host) {
  if (absl::EqualsIgnoreCase(Absl(host), "localhost")) return true;
  char name[256] = "";
  if (gethostname(name, sizeof(name) - 1) == 0) {
    absl::string_view own = name;
    absl::string_view own_short = own.substr(0, own.find('.'));
    if (absl::EqualsIgnoreCase(Absl(host), own) || absl::EqualsIgnoreCase(Absl(host), own_short)) {
      return true;
    }
  }
  absl::StatusOr<std::string> numeric = ResolveNumericIpv4(host);
  if (!numeric.ok()) return false;
  if (absl::StartsWith(*numeric, "127.")) return true;
  struct ifaddrs* interfaces = nullptr;
  if (getifaddrs(&interfaces) != 0) return false;
  bool local = false;
  for (struct ifaddrs* i = interfaces; i != nullptr && !local; i = i->ifa_next) {
    if (i->ifa_addr != nullptr && i->ifa_addr->sa_family == AF_INET) {
      local = Ipv4Text(i->ifa_addr) == *numeric;
    }
  }
  freeifaddrs(interfaces);
  return local;
}

}  // namespace dmtcp
