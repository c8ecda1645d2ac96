#include "core/tools/coordinator_launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "core/common/env_names.h"
#include "core/coordinator/port_file.h"
#include "core/protocol/protocol.h"
#include "core/protocol/wire.h"
#include "core/tools/arg_reader.h"
#include "core/layout/scratch_dir.h"

namespace dmtcp {
namespace {

constexpr absl::Duration kStartTimeout = absl::Seconds(15);

std::string Where(const CoordinatorAddress& address) {
  return absl::StrCat(address.host, ":", address.port);
}

enum class Answer { kCoordinator, kRefused, kNobody, kStranger };

// Connects and asks for the status. `detail` says what went wrong otherwise.
Answer Probe(const std::string& numeric_host, int port, std::string* detail) {
  absl::StatusOr<int> fd = ConnectTcp(numeric_host, port, absl::Seconds(3));
  if (!fd.ok()) {
    *detail = std::string(fd.status().message());
    return Answer::kNobody;
  }
  absl::Status sent = SendMessage(*fd, MSG_HELLO_COMMAND, 0, CMD_STATUS, 0, 0, "");
  absl::StatusOr<Message> reply =
      sent.ok() ? ReceiveMessage(*fd, absl::Seconds(5)) : absl::StatusOr<Message>(sent);
  close(*fd);
  if (reply.ok() && reply->header.type == MSG_COMMAND_REPLY) return Answer::kCoordinator;
  if (!reply.ok() && absl::IsPermissionDenied(reply.status())) {
    *detail = std::string(reply.status().message());  // a coordinator, but not ours
    return Answer::kRefused;
  }
  *detail = reply.ok() ? absl::StrCat("it answered with message type ", reply->header.type)
                       : std::string(reply.status().message());
  return Answer::kStranger;
}

// dmtcp_coordinator beside the running binary, else the first in $PATH.
absl::StatusOr<std::string> FindCoordinatorBinary() {
  char self[PATH_MAX];
  ssize_t length = readlink("/proc/self/exe", self, sizeof(self) - 1);
  std::string exe = length > 0 ? std::string(self, static_cast<size_t>(length)) : "";
  if (!exe.empty()) {
    std::string sibling = exe.substr(0, exe.rfind('/') + 1) + "dmtcp_coordinator";
    if (access(sibling.c_str(), X_OK) == 0) return sibling;
  }
  if (const char* path = getenv("PATH"); path != nullptr) {
    for (absl::string_view dir : absl::StrSplit(path, ':', absl::SkipEmpty())) {
      std::string candidate = absl::StrCat(dir, "/dmtcp_coordinator");
      if (candidate[0] == '/' && access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return absl::NotFoundError(
      absl::StrCat("cannot find dmtcp_coordinator next to ", exe, " or in $PATH"));
}

// The environment for the coordinator: ours without a preloaded runtime (the
// coordinator must not be checkpointed itself).
std::vector<std::string> CoordinatorEnvironment() {
  std::vector<std::string> env;
  std::string preload = absl::StrCat(ENV_LD_PRELOAD, "=");
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (std::strncmp(*entry, preload.c_str(), preload.size()) != 0) env.push_back(*entry);
  }
  return env;
}

std::vector<char*> NullTerminated(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

// Child side of the start: stdin/stdout to /dev/null, stderr to `error_pipe`, no
// other inherited descriptors. Only async-signal-safe calls: the caller may have
// threads. Never returns.
[[noreturn]] void ExecCoordinator(char* const* argv, char* const* envp, int error_pipe) {
  int null = open("/dev/null", O_RDWR);
  dup2(null, STDIN_FILENO);
  dup2(null, STDOUT_FILENO);
  dup2(error_pipe, STDERR_FILENO);
  if (close_range(3, ~0U, 0) != 0) {
    for (int fd = 3; fd < 4096; ++fd) close(fd);
  }
  execve(argv[0], argv, envp);
  static const char kMessage[] = "cannot run dmtcp_coordinator\n";
  (void)!write(STDERR_FILENO, kMessage, sizeof(kMessage) - 1);
  _exit(127);
}

// Runs `dmtcp_coordinator --daemon ...` and returns the port it reports. The daemon's
// parent exits only after the port is bound and the port file written.
absl::StatusOr<int> StartCoordinator(int port, const CoordinatorStartOptions& opts) {
  absl::StatusOr<std::string> binary = FindCoordinatorBinary();
  if (!binary.ok()) return binary.status();
  std::string dir = ScratchDir() + "/dmtcp-coordinator-XXXXXX";
  if (mkdtemp(dir.data()) == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("cannot create a scratch directory in ", ScratchDir(), ": ",
                     std::strerror(errno)));
  }
  std::string port_file = dir + "/port";
  std::vector<std::string> args = {*binary, "--daemon", "--exit-on-last", "-p",
                                   std::to_string(port), "--port-file", port_file};
  if (opts.quiet) args.push_back("-q");
  if (!opts.bind.empty()) {
    args.push_back("--bind");
    args.push_back(opts.bind);
  }
  if (opts.interval >= 0) {
    args.push_back("--interval");
    args.push_back(std::to_string(opts.interval));
  }

  std::vector<std::string> env = CoordinatorEnvironment();
  std::vector<char*> argv = NullTerminated(args);
  std::vector<char*> envp = NullTerminated(env);

  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    rmdir(dir.c_str());
    return absl::UnavailableError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  pid_t child = fork();
  if (child == 0) ExecCoordinator(argv.data(), envp.data(), pipe_fds[1]);
  close(pipe_fds[1]);
  if (child < 0) {
    close(pipe_fds[0]);
    rmdir(dir.c_str());
    return absl::UnavailableError(absl::StrCat("fork: ", std::strerror(errno)));
  }

  // Collect its error output until it closes stderr (the daemon redirects it to
  // /dev/null once started; a failure exits).
  std::string errors;
  absl::Time deadline = absl::Now() + kStartTimeout;
  while (absl::Now() < deadline) {
    struct pollfd pfd = {pipe_fds[0], POLLIN, 0};
    int ms = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now())) + 1;
    if (poll(&pfd, 1, ms) < 0 && errno != EINTR) break;
    char buffer[512];
    ssize_t n = read(pipe_fds[0], buffer, sizeof(buffer));
    if (n == 0) break;
    if (n > 0) errors.append(buffer, static_cast<size_t>(n));
  }
  close(pipe_fds[0]);
  if (absl::Now() >= deadline) kill(child, SIGKILL);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }

  absl::StatusOr<int> started = absl::UnavailableError("");
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    started = coordinator::ReadPortFile(port_file);
  } else {
    std::string reason(absl::StripAsciiWhitespace(errors));
    if (reason.empty()) reason = "it did not start in time";
    started = absl::UnavailableError(absl::StrCat(
        "could not start a coordinator on port ", port, ": ", reason));
  }
  unlink(port_file.c_str());
  rmdir(dir.c_str());
  return started;
}

}  // namespace

absl::StatusOr<CoordinatorAddress> EnsureCoordinator(const CoordinatorAddress& wanted,
                                                     CoordinatorMode mode,
                                                     const CoordinatorStartOptions& opts) {
  if (wanted.port < 0 || wanted.port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("invalid coordinator port ", wanted.port));
  }
  absl::StatusOr<std::string> numeric = ResolveNumericIpv4(wanted.host);
  if (!numeric.ok()) {
    return absl::NotFoundError(absl::StrCat("coordinator host: ", numeric.status().message()));
  }
  CoordinatorAddress result = wanted;
  result.numeric_host = *numeric;

  if (mode != CoordinatorMode::kStartNew && wanted.port != 0) {
    std::string detail;
    switch (Probe(*numeric, wanted.port, &detail)) {
      case Answer::kCoordinator:
        return result;
      case Answer::kRefused:
        return absl::PermissionDeniedError(absl::StrCat(Where(wanted), ": ", detail));
      case Answer::kStranger:
        return absl::FailedPreconditionError(
            absl::StrCat("the program listening on ", Where(wanted),
                         " is not a dmtcp coordinator (", detail, ")"));
      case Answer::kNobody:
        if (mode == CoordinatorMode::kJoinOnly) {
          return absl::UnavailableError(
              absl::StrCat("no coordinator is running at ", Where(wanted), " (", detail, ")"));
        }
        break;
    }
  }
  if (mode == CoordinatorMode::kJoinOnly) {
    return absl::InvalidArgumentError("joining a coordinator needs its port, not 0");
  }
  if (!IsLocalHost(wanted.host)) {
    return absl::FailedPreconditionError(
        absl::StrCat("no coordinator at ", Where(wanted), ", and one can only be started on "
                     "this machine, not on ", wanted.host));
  }

  CoordinatorStartOptions start = opts;
  if (start.bind.empty() && !absl::StartsWith(*numeric, "127.")) start.bind = *numeric;
  absl::StatusOr<int> port = StartCoordinator(wanted.port, start);
  if (!port.ok() && mode == CoordinatorMode::kJoinOrStart && wanted.port != 0) {
    // Someone else may have started one on that port a moment ago: join it.
    std::string detail;
    if (Probe(*numeric, wanted.port, &detail) == Answer::kCoordinator) return result;
  }
  if (!port.ok()) return port.status();
  result.port = *port;
  result.started = true;
  return result;
}

void QuitIfStarted(const CoordinatorAddress& address) {
  if (!address.started) return;
  absl::StatusOr<int> fd = ConnectTcp(address.numeric_host, address.port, absl::Seconds(3));
  if (!fd.ok()) return;
  if (SendMessage(*fd, MSG_HELLO_COMMAND, 0, CMD_QUIT, 0, 0, "").ok()) {
    (void)ReceiveMessage(*fd, absl::Seconds(5));  // its answer: it is going
  }
  close(*fd);
}

CoordinatorAddress CoordinatorFromEnvironment() {
  CoordinatorAddress a;
  const char* host = getenv(ENV_COORD_HOST);
  a.host = host != nullptr && *host != '\0' ? host : "localhost";
  a.port = static_cast<int>(NumberFromEnv(ENV_COORD_PORT, PROTO_DEFAULT_PORT, 0, 65535));
  return a;
}

bool TakeCoordinatorOption(ArgReader& args, CoordinatorAddress* address, CoordinatorMode* mode) {
  if (args.Is("-h", "--coord-host", "--host")) {
    address->host = args.Value();
  } else if (args.Is("-p", "--coord-port", "--port")) {
    address->port = static_cast<int>(args.Number(0, 65535));
  } else if (mode != nullptr && args.Is("-j", "--join-coordinator", "--join")) {
    *mode = CoordinatorMode::kJoinOnly;
  } else if (mode != nullptr && args.Is("--new-coordinator")) {
    *mode = CoordinatorMode::kStartNew;
  } else if (mode != nullptr && args.Is("--no-coordinator")) {
    // No shared coordinator: one of the computation's own, on a free port of this
    // machine, gone when the computation is (started coordinators exit on last).
    *mode = CoordinatorMode::kStartNew;
    address->host = "localhost";
    address->port = 0;
  } else {
    return false;
  }
  return true;
}

}  // namespace dmtcp
