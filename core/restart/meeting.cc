#include "core/restart/meeting.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/protocol/protocol.h"
#include "core/protocol/wire.h"

namespace dmtcp {

RestartMeeting::RestartMeeting(int coord_fd, int64_t round, int64_t computation, int64_t here)
    : fd_(coord_fd), db_(absl::StrCat("dmtcp_restart/", round)), computation_(computation),
      here_(here) {
  struct sockaddr_in local;
  socklen_t len = sizeof local;
  char text[INET_ADDRSTRLEN] = "127.0.0.1";
  if (getsockname(fd_, reinterpret_cast<struct sockaddr*>(&local), &len) == 0 &&
      local.sin_family == AF_INET) {
    inet_ntop(AF_INET, &local.sin_addr, text, sizeof text);
  }
  address_ = text;
}

absl::StatusOr<std::optional<std::string>> RestartMeeting::Request(int op, const std::string& key,
                                                                   const std::string& value) {
  std::string payload = absl::StrCat("db=", absl::BytesToHexString(db_), "\nkey=",
                                     absl::BytesToHexString(key), "\n");
  if (op != KVDB_GET) absl::StrAppend(&payload, "value=", absl::BytesToHexString(value), "\n");
  absl::Status sent = SendMessage(fd_, MSG_KVDB, 0, op, 0, 0, payload);
  if (!sent.ok()) return sent;
  absl::StatusOr<Message> reply = ReceiveMessage(fd_, absl::Seconds(30));
  if (!reply.ok()) return reply.status();
  if (reply->header.type != MSG_KVDB_REPLY) {
    return absl::UnavailableError("the coordinator answered a name-service request oddly");
  }
  if (reply->header.status == KVDB_R_KEY_NOT_FOUND || reply->header.status == KVDB_R_DB_NOT_FOUND) {
    return std::optional<std::string>();
  }
  if (reply->header.status != KVDB_R_SUCCESS) {
    return absl::UnavailableError(
        absl::StrFormat("the coordinator's name service refused a request (%d)", reply->header.status));
  }
  const std::string::size_type at = reply->payload.find("value=");
  if (at == std::string::npos) return std::optional<std::string>(std::string());
  const std::string::size_type end = reply->payload.find('\n', at);
  return std::optional<std::string>(
      absl::HexStringToBytes(reply->payload.substr(at + 6, end == std::string::npos ? end : end - at - 6)));
}

absl::Status RestartMeeting::Set(const std::string& key, const std::string& value) {
  return Request(KVDB_SET, key, value).status();
}

absl::StatusOr<std::optional<std::string>> RestartMeeting::Get(const std::string& key) {
  return Request(KVDB_GET, key, "");
}

absl::StatusOr<int64_t> RestartMeeting::AllPublished(absl::Duration limit) {
  auto As64 = [](const std::optional<std::string>& bytes) {
    int64_t v = 0;
    if (bytes.has_value() && bytes->size() == sizeof v) memcpy(&v, bytes->data(), sizeof v);
    return v;
  };
  int64_t mine = here_;
  absl::StatusOr<std::optional<std::string>> before =
      Request(KVDB_INCRBY, "published", std::string(reinterpret_cast<const char*>(&mine), sizeof mine));
  if (!before.ok()) return before.status();
  int64_t published = As64(*before) + here_;
  const absl::Time deadline = absl::Now() + limit;
  while (published < computation_ && absl::Now() < deadline) {
    usleep(20 * 1000);
    absl::StatusOr<std::optional<std::string>> now = Get("published");
    if (!now.ok()) return now.status();
    published = As64(*now);
  }
  return published;
}

}  // namespace dmtcp
