#include "core/coordinator/admission.h"

#include <arpa/inet.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace dmtcp::coordinator {
namespace {

bool IsLoopback(const struct sockaddr_in& a) { return (ntohl(a.sin_addr.s_addr) >> 24) == 127; }

std::string Text(const struct sockaddr_in& a) {
  char text[INET_ADDRSTRLEN] = "?";
  inet_ntop(AF_INET, &a.sin_addr, text, sizeof text);
  return absl::StrFormat("%s:%d", text, ntohs(a.sin_port));
}

// /proc/net/tcp writes an address as the 32-bit word of sin_addr in hex (so its digits
// read in the host's byte order) and the port in hex: "0100007F:1E73".
bool Matches(absl::string_view field, const struct sockaddr_in& a) {
  const std::string text(field);
  char* end = nullptr;
  const unsigned long addr = strtoul(text.c_str(), &end, 16);
  if (end == text.c_str() || *end != ':') return false;
  const char* port_text = end + 1;
  const unsigned long port = strtoul(port_text, &end, 16);
  return end != port_text && static_cast<uint32_t>(addr) == a.sin_addr.s_addr &&
         port == ntohs(a.sin_port);
}

}  // namespace

bool FromThisHost(const struct sockaddr_in& peer, const struct sockaddr_in& local) {
  return IsLoopback(peer) || peer.sin_addr.s_addr == local.sin_addr.s_addr;
}

std::optional<uid_t> SocketOwner(std::string_view proc_net_tcp, const struct sockaddr_in& peer,
                                 const struct sockaddr_in& local) {
  // "sl local_address rem_address st queues timer retrnsmt uid ..."; the peer's socket
  // has the peer's address as its local one.
  const absl::string_view text(proc_net_tcp.data(), proc_net_tcp.size());
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::vector<absl::string_view> fields = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (fields.size() < 8 || !Matches(fields[1], peer) || !Matches(fields[2], local)) continue;
    const std::string uid(fields[7]);
    char* end = nullptr;
    const unsigned long value = strtoul(uid.c_str(), &end, 10);
    if (end == uid.c_str() || *end != '\0') return std::nullopt;
    return static_cast<uid_t>(value);
  }
  return std::nullopt;
}

absl::Status Admit(const AdmissionPolicy& policy, const struct sockaddr_in& peer,
                   const struct sockaddr_in& local, std::optional<uid_t> owner) {
  if (!FromThisHost(peer, local)) {
    if (policy.other_hosts) return absl::OkStatus();
    return absl::PermissionDeniedError(absl::StrFormat(
        "%s is on another host, and this coordinator serves its own host only (start it "
        "with --bind ADDR to serve others)", Text(peer)));
  }
  if (!owner.has_value() || *owner == policy.self || *owner == 0) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrFormat(
      "%s belongs to user %u, and this coordinator serves user %u only", Text(peer), *owner,
      policy.self));
}

}  // namespace dmtcp::coordinator
