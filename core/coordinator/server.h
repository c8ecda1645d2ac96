// server.h - the coordinator's event loop: one poll() over the listening socket,
// every client connection and (optionally) stdin. It turns bytes into events for the
// state machine (barrier.h) and carries out the actions it returns: sending messages,
// writing the restart script, logging, exiting.
#ifndef CORE_COORDINATOR_SERVER_H
#define CORE_COORDINATOR_SERVER_H

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/coordinator/barrier.h"
#include "core/coordinator/kvdb.h"
#include "core/protocol/protocol.h"
#include "core/protocol/wire.h"

namespace dmtcp::coordinator {

struct ServerOptions {
  int port = PROTO_DEFAULT_PORT;  // 0 lets the kernel pick a free one
  int64_t interval_seconds = 0;
  bool exit_on_last = false;
  // Exit after this long with no clients of any kind.
  absl::Duration idle_timeout = absl::InfiniteDuration();
  bool quiet = false;    // no log lines on stdout
  std::string ckptdir;   // where restart scripts go; empty: the current directory
  bool read_stdin = true;  // accept single-letter commands on stdin
  // --bind: listen on this address only and serve other hosts too; empty: listen on
  // every address and serve this host only (admission.h).
  std::string bind_address;
};

class Server {
 public:
  // Binds and listens (IPv4, on options.bind_address or any address). Fails clearly if
  // the port is taken or the checkpoint directory is unusable. Nothing is accepted
  // until Run().
  static absl::StatusOr<std::unique_ptr<Server>> Listen(const ServerOptions& options);
  ~Server();

  int port() const { return port_; }
  const std::string& compid() const { return compid_; }

  // Serves until a quit command, exit-on-last, or the idle timeout.
  absl::Status Run();

 private:
  enum class Role { kNew, kWorker, kCommand, kRestart, kRefused };
  struct Connection {
    int fd = -1;
    Role role = Role::kNew;
    MessageDecoder decoder;
  };

  Server(const ServerOptions& options, int listen_fd, int port);

  void Accept();
  void ReadFrom(ClientId id);
  void Dispatch(ClientId id, const Message& message);
  void ReadStdin();
  void ConsoleCommand(const std::string& line);
  void Drop(ClientId id);
  Action KvdbReply(ClientId id, int op, const std::string& payload);
  void Execute(std::vector<Action> actions);
  void SendTo(const Action& action);
  void PrintConsoleReply(const Action& reply);
  void WriteScript(const Action& action);
  void Log(const std::string& line);
  absl::Time IdleDeadline() const;

  ServerOptions options_;
  uid_t self_;  // the user this coordinator serves (admission.h)
  int listen_fd_;
  int port_;
  std::string compid_;
  std::string ckptdir_;      // absolute
  std::string script_host_;  // coordinator host written into restart scripts
  CoordinatorState state_;
  KeyValueDatabases kvdb_;  // the computation's name service

  std::map<ClientId, Connection> connections_;
  ClientId next_id_ = kConsoleClient + 1;
  std::vector<ClientId> to_drop_;  // connections to close once current actions are done
  bool stdin_open_;
  std::string stdin_buffer_;
  int last_console_command_ = 0;  // to word the console's reply
  absl::Time idle_since_;
  bool exit_ = false;
};

}  // namespace dmtcp::coordinator

#endif  // CORE_COORDINATOR_SERVER_H
