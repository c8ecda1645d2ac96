// wire.h - sending and receiving protocol.h messages over TCP, for the coordinator
// and its C++ clients (dmtcp_command, dmtcp_launch, dmtcp_restart).
//
// The preload runtime speaks the same protocol with raw syscalls; this file is the
// comfortable, allocating version for ordinary programs.
//
// Reply payloads (protocol.h leaves their exact text open; this is what the
// coordinator sends in MSG_COMMAND_REPLY):
//   any command that fails      error=<one line>
//   CMD_CHECKPOINT              ckpt=<number of the checkpoint just started>
//   CMD_BCHECKPOINT/KCHECKPOINT ckpt=<number>, then one image=<absolute path> line per
//                               image written, plus error=<text> lines if some failed
//   CMD_LIST                    one line per worker: "id pid host prog state image"
//                               (prog has no spaces; image is the rest of the line,
//                               "-" when there is none yet)
// Hello payloads may also carry ckpt=<number> (a restarted worker's last checkpoint).
#ifndef CORE_PROTOCOL_WIRE_H
#define CORE_PROTOCOL_WIRE_H

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/protocol/protocol.h"

namespace dmtcp {

struct Message {
  msg_header header;
  std::string payload;
};

// Writes one whole message (header then payload). Retries partial writes and EINTR;
// never raises SIGPIPE. Fails if the payload is larger than PROTO_MAX_PAYLOAD.
absl::Status SendMessage(int fd, int type, int32_t status, int64_t a0, int64_t a1,
                         int64_t a2, std::string_view payload);

// Reads one whole message, waiting at most `timeout` for all of it
// (absl::InfiniteDuration() waits forever). The error text says "connection closed"
// when the peer closed the connection before a message started.
absl::StatusOr<Message> ReceiveMessage(int fd, absl::Duration timeout);

// Checks magic, version and payload length of a header just read.
absl::Status ValidateHeader(const msg_header& header);

// Splits a byte stream into messages, for readers that must never block (the
// coordinator's poll loop): feed it whatever recv() returned, then take messages.
class MessageDecoder {
 public:
  void Append(std::string_view bytes) { buffer_.append(bytes.data(), bytes.size()); }
  // The next complete message, std::nullopt if more bytes are needed, or an error if
  // the stream is not speaking our protocol (the connection should then be dropped).
  absl::StatusOr<std::optional<Message>> Next();
  // True when a message has started but is not complete.
  bool HasPartialMessage() const { return !buffer_.empty(); }

 private:
  std::string buffer_;
};

// Payload text: one key=value per line. Lines without '=' are skipped; for repeated
// keys the last one wins (use KeyValueLines to see every line).
absl::flat_hash_map<std::string, std::string> ParseKeyValues(std::string_view payload);
std::vector<std::pair<std::string, std::string>> KeyValueLines(std::string_view payload);

// A key=value payload cut to fit one message: whole lines are left out from the end
// and "truncated=N" (how many) ends it. A payload that fits is returned as it is.
std::string FitPayload(std::string payload, size_t limit = PROTO_MAX_PAYLOAD);
// Keys are written in sorted order so output is stable; values must not hold '\n'.
std::string FormatKeyValues(const absl::flat_hash_map<std::string, std::string>& values);

// Connects to host:port over IPv4, giving up after `timeout`. The fd is blocking and
// close-on-exec.
absl::StatusOr<int> ConnectTcp(std::string_view host, int port, absl::Duration timeout);

// The dotted-quad IPv4 address of a host name (or the address itself).
absl::StatusOr<std::string> ResolveNumericIpv4(std::string_view host);

// True for localhost, 127.x.x.x, this machine's host name, or one of its addresses.
bool IsLocalHost(std::string_view host);

}  // namespace dmtcp

#endif  // CORE_PROTOCOL_WIRE_H
