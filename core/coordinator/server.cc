#include "core/coordinator/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstring>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/str_format.h"
#include "core/coordinator/admission.h"
#include "core/coordinator/socket_owner.h"
#include "core/coordinator/restart_script.h"

namespace dmtcp::coordinator {
namespace {

constexpr char kConsoleHelp[] =
    "Commands (type a letter and press Enter):\n"
    "  c    checkpoint every process\n"
    "  s    show the status\n"
    "  l    list the processes\n"
    "  i N  checkpoint every N seconds (0: never)\n"
    "  k    kill every process\n"
    "  q    kill every process and quit\n"
    "  h, ? show this help\n";

std::string CurrentDirectory() {
  char buffer[PATH_MAX];
  return getcwd(buffer, sizeof(buffer)) != nullptr ? buffer : ".";
}

// mkdir -p: the directory may be named before any checkpoint created it.
void MakeDirectories(const std::string& dir) {
  for (size_t slash = dir.find('/', 1); ; slash = dir.find('/', slash + 1)) {
    mkdir(dir.substr(0, slash).c_str(), 0700);  // the images in it are the user's alone
    if (slash == std::string::npos) return;
  }
}

absl::StatusOr<std::string> UsableCheckpointDir(const std::string& wanted) {
  std::string dir = wanted.empty() ? CurrentDirectory() : wanted;
  if (dir[0] != '/') dir = absl::StrCat(CurrentDirectory(), "/", dir);
  MakeDirectories(dir);
  struct stat info;
  if (stat(dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    return absl::NotFoundError(
        absl::StrCat("checkpoint directory ", dir, " does not exist and cannot be created"));
  }
  if (access(dir.c_str(), W_OK | X_OK) != 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot write to checkpoint directory ", dir, ": ", std::strerror(errno)));
  }
  return dir;
}

// Restart scripts name this host so they work from anywhere, unless the name does not
// resolve (containers often have such names); then they use localhost.
std::string HostForScripts() {
  char name[256] = "";
  if (gethostname(name, sizeof(name) - 1) != 0 || !ResolveNumericIpv4(name).ok()) {
    return "localhost";
  }
  return name;
}

std::string MakeCompid() {
  return absl::StrFormat("%x-%d-%x", static_cast<uint32_t>(gethostid()), getpid(),
                         absl::ToUnixMicros(absl::Now()));
}

WorkerHello HelloFrom(const Message& message) {
  auto values = ParseKeyValues(message.payload);
  WorkerHello hello;
  hello.pid = message.header.arg[0];
  hello.restarted = (message.header.arg[1] & WORKER_F_RESTARTED) != 0;
  hello.interval_request = message.header.arg[2];
  hello.prog = values["prog"];
  hello.host = values["host"];
  hello.uniq = values["uniq"];
  hello.ckptdir = values["ckptdir"];
  hello.image = values["image"];
  int64_t last = 0;
  if (absl::SimpleAtoi(values["ckpt"], &last)) hello.last_checkpoint = last;
  if (!absl::SimpleAtoi(values["vpid"], &hello.vpid)) hello.vpid = hello.pid;
  return hello;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Server>> Server::Listen(const ServerOptions& options) {
  absl::StatusOr<std::string> ckptdir = UsableCheckpointDir(options.ckptdir);
  if (!ckptdir.ok()) return ckptdir.status();
  if (options.port < 0 || options.port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("invalid port ", options.port));
  }

  // One descriptor per process of the computation: as many as we may have, since the
  // usual soft limit (1024) would stop a computation at about a thousand processes.
  struct rlimit files;
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  // Small messages, answered at once: no Nagle delay (wire.cc). Accepted connections
  // inherit it.
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  struct sockaddr_in address;
  std::memset(&address, 0, sizeof(address));
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_ANY);
  if (!options.bind_address.empty()) {
    absl::StatusOr<std::string> numeric = ResolveNumericIpv4(options.bind_address);
    if (!numeric.ok() || inet_pton(AF_INET, numeric->c_str(), &address.sin_addr) != 1) {
      close(fd);
      return absl::InvalidArgumentError(
          absl::StrCat("--bind ", options.bind_address, ": not an IPv4 address or host name"));
    }
  }
  address.sin_port = htons(static_cast<uint16_t>(options.port));
  if (bind(fd, reinterpret_cast<struct sockaddr*>(&address), sizeof(address)) != 0) {
    int saved = errno;
    close(fd);
    if (saved == EADDRINUSE) {
      return absl::AlreadyExistsError(absl::StrCat(
          "port ", options.port, " is already in use (another coordinator running there?)"));
    }
    return absl::UnavailableError(
        absl::StrCat("cannot listen on port ", options.port, ": ", std::strerror(saved)));
  }
  socklen_t length = sizeof(address);
  if (listen(fd, 128) != 0 ||
      getsockname(fd, reinterpret_cast<struct sockaddr*>(&address), &length) != 0) {
    int saved = errno;
    close(fd);
    return absl::UnavailableError(absl::StrCat("listen: ", std::strerror(saved)));
  }
  std::unique_ptr<Server> server(new Server(options, fd, ntohs(address.sin_port)));
  server->ckptdir_ = *ckptdir;
  return server;
}

Server::Server(const ServerOptions& options, int listen_fd, int port)
    : options_(options),
      self_(geteuid()),
      listen_fd_(listen_fd),
      port_(port),
      compid_(MakeCompid()),
      // Bound to one address, it is reached there alone, from every host.
      script_host_(options.bind_address.empty() || options.bind_address == "0.0.0.0"
                       ? HostForScripts()
                       : options.bind_address),
      state_(CoordinatorConfig{compid_, options.interval_seconds, options.exit_on_last},
             absl::Now()),
      stdin_open_(options.read_stdin),
      idle_since_(absl::Now()) {}

Server::~Server() {
  for (auto& [id, connection] : connections_) close(connection.fd);
  if (listen_fd_ >= 0) close(listen_fd_);
}

absl::Status Server::Run() {
  Log(absl::StrFormat("listening on port %d, computation %s, scripts in %s", port_, compid_,
                      ckptdir_));
  idle_since_ = absl::Now();
  while (!exit_) {
    // Who to watch: the listener, stdin, then every connection (ids in `polled`).
    std::vector<struct pollfd> fds;
    std::vector<ClientId> polled;
    fds.push_back({listen_fd_, POLLIN, 0});
    bool watching_stdin = stdin_open_;
    if (watching_stdin) fds.push_back({STDIN_FILENO, POLLIN, 0});
    size_t first_connection = fds.size();
    for (const auto& [id, connection] : connections_) {
      fds.push_back({connection.fd, POLLIN, 0});
      polled.push_back(id);
    }
    absl::Time deadline = std::min(state_.NextTimer(), IdleDeadline());
    int timeout_ms = -1;
    if (deadline != absl::InfiniteFuture()) {
      absl::Duration left = std::max(deadline - absl::Now(), absl::ZeroDuration());
      timeout_ms = static_cast<int>(
          std::min<int64_t>(absl::ToInt64Milliseconds(left) + 1, INT_MAX));
    }
    int ready = poll(fds.data(), fds.size(), timeout_ms);
    if (ready < 0 && errno != EINTR) {
      return absl::InternalError(absl::StrCat("poll: ", std::strerror(errno)));
    }

    absl::Time now = absl::Now();
    Execute(state_.Tick(now));
    if (!exit_ && now >= IdleDeadline()) {
      Log(absl::StrFormat("no clients for %s; exiting",
                          absl::FormatDuration(options_.idle_timeout)));
      break;
    }
    if (ready <= 0) continue;

    if (watching_stdin && fds[1].revents != 0 && !exit_) ReadStdin();
    for (size_t i = 0; i < polled.size() && !exit_; ++i) {
      if (fds[first_connection + i].revents != 0) ReadFrom(polled[i]);
    }
    if (fds[0].revents != 0 && !exit_) Accept();
  }
  return absl::OkStatus();
}

absl::Time Server::IdleDeadline() const {
  if (options_.idle_timeout == absl::InfiniteDuration() || !connections_.empty()) {
    return absl::InfiniteFuture();
  }
  return idle_since_ + options_.idle_timeout;
}

void Server::Accept() {
  struct sockaddr_in peer, local;
  socklen_t peer_len = sizeof peer, local_len = sizeof local;
  int fd = accept4(listen_fd_, reinterpret_cast<struct sockaddr*>(&peer), &peer_len, SOCK_CLOEXEC);
  if (fd < 0) return;  // the client gave up already, or we are out of fds
  if (getsockname(fd, reinterpret_cast<struct sockaddr*>(&local), &local_len) != 0) {
    close(fd);
    return;
  }
  std::optional<uid_t> owner;
  if (FromThisHost(peer, local)) owner = LookUpSocketOwner(peer, local);
  absl::Status admitted =
      Admit({.self = self_, .other_hosts = !options_.bind_address.empty()}, peer, local, owner);
  if (!admitted.ok()) {
    Log(absl::StrCat("refused a client: ", admitted.message()));
    SendMessage(fd, MSG_REFUSED, 0, 0, 0, 0, absl::StrCat("error=", admitted.message(), "\n"))
        .IgnoreError();
  }
  // A refused peer is heard but not served until it hangs up: closing first, with its
  // hello unread, would reset the connection and could lose the refusal.
  Connection& connection = connections_[next_id_++];
  connection.fd = fd;
  if (!admitted.ok()) connection.role = Role::kRefused;
}

void Server::ReadFrom(ClientId id) {
  auto found = connections_.find(id);
  if (found == connections_.end()) return;
  char buffer[16384];
  ssize_t n = recv(found->second.fd, buffer, sizeof(buffer), MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
  if (n <= 0) {
    Drop(id);
    return;
  }
  found->second.decoder.Append(std::string_view(buffer, static_cast<size_t>(n)));
  while (!exit_) {
    // Looked up again each time: handling a message can close this connection.
    found = connections_.find(id);
    if (found == connections_.end()) return;
    absl::StatusOr<std::optional<Message>> message = found->second.decoder.Next();
    if (!message.ok()) {
      Log(absl::StrCat("dropping client ", id, ": ", message.status().message()));
      Drop(id);
      return;
    }
    if (!message->has_value()) return;
    Dispatch(id, **message);
  }
}

void Server::Dispatch(ClientId id, const Message& message) {
  Connection& connection = connections_.at(id);
  const msg_header& header = message.header;
  switch (connection.role) {
    case Role::kRefused:
      return;
    case Role::kNew:
      if (header.type == MSG_HELLO_WORKER) {
        connection.role = Role::kWorker;
        Execute(state_.WorkerJoined(id, HelloFrom(message)));
      } else if (header.type == MSG_HELLO_COMMAND) {
        connection.role = Role::kCommand;
        Execute(state_.Command(id, static_cast<int>(header.arg[0]), header.arg[1]));
      } else if (header.type == MSG_HELLO_RESTART) {
        connection.role = Role::kRestart;
        const std::string uniqs = ParseKeyValues(message.payload)["uniqs"];
        Execute(state_.RestartExpect(id, header.arg[0],
                                     absl::StrSplit(uniqs, ',', absl::SkipEmpty()),
                                     header.arg[1]));
      } else {
        Log(absl::StrFormat("dropping client %d: message type %d before any hello", id,
                            header.type));
        Drop(id);
      }
      return;
    case Role::kWorker:
      if (header.type == MSG_PHASE_DONE) {
        Execute(state_.PhaseDone(id, header.arg[0], static_cast<int>(header.arg[1]),
                                 header.status, message.payload));
      } else if (header.type == MSG_BARRIER) {
        Execute(state_.NamedBarrier(id, ParseKeyValues(message.payload)["name"]));
      } else if (header.type == MSG_KVDB) {
        Execute({KvdbReply(id, static_cast<int>(header.arg[0]), message.payload)});
      } else {
        Log(absl::StrFormat("ignoring message type %d from worker %d", header.type, id));
      }
      return;
    case Role::kRestart:
      // dmtcp_restarts on several hosts meet in the name service to join again the
      // connections between their processes (core/restart/kinds/sockets.cc).
      if (header.type == MSG_KVDB) {
        Execute({KvdbReply(id, static_cast<int>(header.arg[0]), message.payload)});
      }
      return;
    case Role::kCommand:
      return;  // it has nothing more to say
  }
}

Action Server::KvdbReply(ClientId id, int op, const std::string& payload) {
  auto fields = ParseKeyValues(payload);
  KeyValueDatabases::Answer answer =
      kvdb_.Request(op, absl::HexStringToBytes(fields["db"]), absl::HexStringToBytes(fields["key"]),
                    absl::HexStringToBytes(fields["value"]));
  Action reply;
  reply.kind = Action::Kind::kSend;
  reply.to = id;
  reply.type = MSG_KVDB_REPLY;
  reply.status = answer.status;
  if (answer.had_value) reply.text = absl::StrCat("value=", absl::BytesToHexString(answer.value), "\n");
  return reply;
}

void Server::Drop(ClientId id) {
  auto found = connections_.find(id);
  if (found == connections_.end()) return;
  close(found->second.fd);
  connections_.erase(found);
  if (connections_.empty()) idle_since_ = absl::Now();
  Execute(state_.ClientLeft(id));
}

void Server::Execute(std::vector<Action> actions) {
  for (const Action& action : actions) {
    switch (action.kind) {
      case Action::Kind::kSend:
        SendTo(action);
        break;
      case Action::Kind::kWriteRestartScript:
        WriteScript(action);
        break;
      case Action::Kind::kLog:
        Log(action.text);
        break;
      case Action::Kind::kExit:
        exit_ = true;
        break;
    }
  }
  // Closing a connection is itself an event, so it waits until these actions are done.
  while (!to_drop_.empty()) {
    ClientId id = to_drop_.back();
    to_drop_.pop_back();
    Drop(id);
  }
}

void Server::SendTo(const Action& action) {
  if (action.to == kConsoleClient) {
    PrintConsoleReply(action);
    return;
  }
  auto found = connections_.find(action.to);
  if (found == connections_.end()) return;
  // A reply naming a thousand images or peers may not fit one message: the
  // restart script names them all.
  absl::Status sent = SendMessage(found->second.fd, action.type, action.status, action.args[0],
                                  action.args[1], action.args[2], FitPayload(action.text));
  if (!sent.ok()) {
    Log(absl::StrCat("lost client ", action.to, ": ", sent.message()));
    to_drop_.push_back(action.to);
  } else if (action.type == MSG_COMMAND_REPLY ||
             (action.type == MSG_RESTART_REPLY && action.status != DMT_COORD_SUCCESS)) {
    to_drop_.push_back(action.to);  // a command gets one reply, a refusal too: we hang up
  }
}

void Server::WriteScript(const Action& action) {
  RestartScriptInfo info;
  info.compid = compid_;
  info.checkpoint = action.checkpoint;
  info.taken = absl::Now();
  info.coord_host = script_host_;
  info.coord_port = port_;
  info.dmtcp_restart = FindDmtcpRestart();
  for (const ImageRecord& image : action.images) info.images.push_back({image.host, image.path});
  absl::StatusOr<std::string> path = WriteRestartScript(ckptdir_, info);
  if (path.ok()) {
    Log(absl::StrCat("restart script: ", *path));
  } else {
    // Worth saying even when quiet: the user will look for this file.
    std::fprintf(stderr, "dmtcp_coordinator: %s\n", std::string(path.status().message()).c_str());
  }
}

void Server::ReadStdin() {
  char buffer[1024];
  ssize_t n = read(STDIN_FILENO, buffer, sizeof(buffer));
  if (n < 0 && errno == EINTR) return;
  if (n <= 0) {
    // End of input (e.g. started with </dev/null): keep serving, stop reading.
    stdin_open_ = false;
    return;
  }
  stdin_buffer_.append(buffer, static_cast<size_t>(n));
  size_t newline;
  while ((newline = stdin_buffer_.find('\n')) != std::string::npos && !exit_) {
    std::string line = stdin_buffer_.substr(0, newline);
    stdin_buffer_.erase(0, newline + 1);
    ConsoleCommand(line);
  }
}

void Server::ConsoleCommand(const std::string& raw_line) {
  std::string line(absl::StripAsciiWhitespace(raw_line));
  if (line.empty()) return;
  int code = 0;
  int64_t arg = 0;
  switch (line[0]) {
    case 'c': code = CMD_CHECKPOINT; break;
    case 's': code = CMD_STATUS; break;
    case 'l': code = CMD_LIST; break;
    case 'k': code = CMD_KILL; break;
    case 'q': code = CMD_QUIT; break;
    case 'i': {
      std::string number(absl::StripAsciiWhitespace(line.substr(1)));
      if (!absl::SimpleAtoi(number, &arg) || arg < 0) {
        std::printf("usage: i SECONDS (0 turns interval checkpoints off)\n");
        std::fflush(stdout);
        return;
      }
      code = CMD_INTERVAL;
      break;
    }
    case 'h':
    case '?':
      std::fputs(kConsoleHelp, stdout);
      std::fflush(stdout);
      return;
    default:
      std::printf("unknown command '%s' (h for help)\n", line.c_str());
      std::fflush(stdout);
      return;
  }
  last_console_command_ = code;
  Execute(state_.Command(kConsoleClient, code, arg));
}

void Server::PrintConsoleReply(const Action& reply) {
  if (reply.status != DMT_COORD_SUCCESS) {
    for (const auto& [key, value] : KeyValueLines(reply.text)) {
      if (key == "error") std::printf("error: %s\n", value.c_str());
    }
  } else if (last_console_command_ == CMD_STATUS) {
    std::printf("Status...\n  NUM_PEERS=%lld\n  RUNNING=%s\n  CKPT_INTERVAL=%lld\n",
                static_cast<long long>(reply.args[0]), reply.args[1] ? "yes" : "no",
                static_cast<long long>(reply.args[2]));
  } else if (last_console_command_ == CMD_LIST) {
    std::printf("%s", reply.text.empty() ? "no processes are connected\n" : reply.text.c_str());
  } else if (last_console_command_ == CMD_INTERVAL) {
    std::printf("checkpoint interval: %lld s\n", static_cast<long long>(reply.args[2]));
  }
  std::fflush(stdout);
}

void Server::Log(const std::string& line) {
  if (options_.quiet) return;
  std::printf("[coordinator] %s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace dmtcp::coordinator
