// remote_streams.h - what dmtcp_ssh and dmtcp_sshd share: a process started on another
// host by ssh talks to the program that ran ssh over four TCP connections of its own
// (stdin, stdout, stderr, and one that carries its exit status), which the real ssh
// does not carry. So the connections are part of the computation, checkpointed with
// it and joined again at restart wherever both ends run; the real ssh, outside the
// computation, only starts the remote side and is not needed after that.
#ifndef CORE_TOOLS_REMOTE_STREAMS_H
#define CORE_TOOLS_REMOTE_STREAMS_H

#include <cstdint>

namespace dmtcp {

enum RemoteStream : uint8_t { kStdin = 0, kStdout = 1, kStderr = 2, kStatus = 3, kStreams = 4 };

// Each connection opens with the cookie dmtcp_ssh made up (so a stray client is not
// taken for the remote side) and which stream it is.
struct StreamHello {
  char cookie[16];
  uint8_t stream;  // enum RemoteStream
};

}  // namespace dmtcp

#endif  // CORE_TOOLS_REMOTE_STREAMS_H
