// dmtcp_ssh SSH [ssh-options] HOST [COMMAND...]
//
// What `ssh HOST COMMAND` becomes inside a computation (the runtime rewrites the exec,
// core/runtime/remote_shell.h): COMMAND runs on HOST under dmtcp_launch, joined to the
// same coordinator, and talks to us over connections of the computation
// (remote_streams.h) instead of through ssh. We relay our stdin, stdout and stderr to
// and from them and exit as COMMAND did, as ssh would. The real ssh (SSH) runs outside
// the computation (dmtcp_nocheckpoint) and only starts dmtcp_sshd over there.
// Without a command (a login) or without a coordinator other hosts can reach, SSH
// simply runs as it was asked to, with a warning.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "core/common/env_names.h"
#include "core/common/exit_codes.h"
#include "core/layout/tool_paths.h"
#include "core/tools/remote_streams.h"

namespace dmtcp {
namespace {

constexpr int kConnectBackMs = 60 * 1000;

// ssh's options that take a value (ssh(1)).
bool TakesValue(const std::string& option) {
  return option.size() == 2 && strchr("BbcDEeFIiJLlmOoPpQRSWw", option[1]) != nullptr;
}

std::string Quote(const std::string& text) {
  return absl::StrCat("'", absl::StrReplaceAll(text, {{"'", "'\\''"}}), "'");
}

[[noreturn]] void RunPlainly(char** argv, const std::string& why) {
  if (!why.empty()) fprintf(stderr, "dmtcp_ssh: warning: %s\n", why.c_str());
  execvp(argv[1], argv + 1);
  Fail(absl::StrCat("cannot run ", argv[1], ": ", strerror(errno)));
}

// Our address on the way to `host`, which it can reach us at.
std::string AddressToward(const std::string& host, const std::string& fallback) {
  struct addrinfo hints = {}, *found = nullptr;
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_DGRAM;
  const std::string name = host.substr(host.find('@') + 1);  // user@host
  std::string address = fallback;
  if (getaddrinfo(name.c_str(), "9", &hints, &found) == 0) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in local;
    socklen_t len = sizeof local;
    char text[INET_ADDRSTRLEN];
    if (fd >= 0 && connect(fd, found->ai_addr, found->ai_addrlen) == 0 &&
        getsockname(fd, reinterpret_cast<struct sockaddr*>(&local), &len) == 0 &&
        inet_ntop(AF_INET, &local.sin_addr, text, sizeof text) != nullptr) {
      address = text;
    }
    if (fd >= 0) close(fd);
    freeaddrinfo(found);
  }
  return address;
}

std::string MakeCookie() {
  unsigned char bytes[8] = {};
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0 || read(fd, bytes, sizeof bytes) != sizeof bytes) Fail("cannot read /dev/urandom");
  close(fd);
  std::string cookie;
  for (unsigned char b : bytes) absl::StrAppend(&cookie, absl::Hex(b, absl::kZeroPad2));
  return cookie;
}

// Takes the four connections of dmtcp_sshd; false if `ssh` ended first or time ran out.
bool AcceptStreams(int listener, const std::string& cookie, pid_t ssh, int fds[kStreams]) {
  for (int s = 0; s < kStreams; s++) fds[s] = -1;
  int taken = 0;
  for (int waited = 0; taken < kStreams && waited < kConnectBackMs; waited += 100) {
    struct pollfd p = {listener, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) {
      int status;
      if (waitpid(ssh, &status, WNOHANG) == ssh) return false;
      continue;
    }
    int fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    StreamHello hello;
    struct timeval limit = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    if (recv(fd, &hello, sizeof hello, MSG_WAITALL) != sizeof hello ||
        memcmp(hello.cookie, cookie.data(), sizeof hello.cookie) != 0 || hello.stream >= kStreams ||
        fds[hello.stream] >= 0) {
      close(fd);
      continue;
    }
    struct timeval none = {0, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof none);
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fds[hello.stream] = fd;
    taken++;
  }
  return taken == kStreams;
}

bool WriteAll(int fd, const char* data, ssize_t len) {
  while (len > 0) {
    ssize_t n = write(fd, data, static_cast<size_t>(len));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    len -= n;
  }
  return true;
}

// Copies our stdin to the command and its output to ours until it has ended; returns
// the exit code ssh would.
int Relay(int fds[kStreams]) {
  int from[3] = {STDIN_FILENO, fds[kStdout], fds[kStderr]};
  int to[3] = {fds[kStdin], STDOUT_FILENO, STDERR_FILENO};
  bool open[3] = {true, true, true};
  int32_t status = -1;
  bool have_status = false;
  char buffer[65536];
  while (open[1] || open[2] || !have_status) {
    struct pollfd p[4];
    for (int i = 0; i < 3; i++) p[i] = {open[i] ? from[i] : -1, POLLIN, 0};
    p[3] = {have_status ? -1 : fds[kStatus], POLLIN, 0};
    if (poll(p, 4, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 3; i++) {
      if (!open[i] || p[i].revents == 0) continue;
      ssize_t n = read(from[i], buffer, sizeof buffer);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0 || !WriteAll(to[i], buffer, n)) {
        open[i] = false;
        if (i == 0) shutdown(fds[kStdin], SHUT_WR);  // the command sees end of input
      }
    }
    if (!have_status && p[3].revents != 0) {
      ssize_t n = recv(fds[kStatus], &status, sizeof status, MSG_WAITALL);
      have_status = true;
      if (n != sizeof status) status = -1;
    }
  }
  if (status == -1) return 255;  // as ssh: the connection was lost
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
}

}  // namespace
}  // namespace dmtcp

int main(int argc, char** argv) {
  using namespace dmtcp;
  SetProgramName(argv[0]);
  if (argc < 2) Fail("usage: dmtcp_ssh SSH [ssh-options] HOST [COMMAND...]");
  signal(SIGPIPE, SIG_IGN);
  int i = 2;
  while (i < argc && argv[i][0] == '-') i += TakesValue(argv[i]) ? 2 : 1;
  if (i >= argc) RunPlainly(argv, "");
  const std::string host = argv[i];
  std::vector<std::string> command(argv + i + 1, argv + argc);
  if (command.empty()) RunPlainly(argv, absl::StrCat("a login on ", host, " is not part of the computation"));

  const char* coord = getenv(ENV_RUNTIME_COORD_ADDR);
  const char* port = getenv(ENV_COORD_PORT);
  if (coord == nullptr || port == nullptr) RunPlainly(argv, "not under dmtcp_launch");
  if (strncmp(coord, "127.", 4) == 0) {
    RunPlainly(argv, absl::StrCat("the coordinator listens on ", coord, ", which ", host,
                                  " cannot reach: what runs there is not checkpointed (start the "
                                  "coordinator with --bind ADDRESS and dmtcp_launch with -h ADDRESS)"));
  }

  const int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in any = {};
  any.sin_family = AF_INET;
  socklen_t len = sizeof any;
  if (listener < 0 || bind(listener, reinterpret_cast<struct sockaddr*>(&any), sizeof any) != 0 ||
      listen(listener, kStreams) != 0 ||
      getsockname(listener, reinterpret_cast<struct sockaddr*>(&any), &len) != 0) {
    Fail(absl::StrCat("cannot listen for ", host, ": ", strerror(errno)));
  }
  const std::string here = absl::StrCat(AddressToward(host, coord), ":", ntohs(any.sin_port));
  const std::string cookie = MakeCookie();

  // What the remote shell runs: dmtcp_sshd under dmtcp_launch, joining our coordinator
  // and writing its images where ours go.
  std::vector<std::string> remote = {Quote(SiblingPath("dmtcp_launch")), "--coord-host",
                                     Quote(coord), "--coord-port", Quote(port),
                                     "--join-coordinator"};
  if (const char* dir = getenv(ENV_CHECKPOINT_DIR); dir != nullptr && dir[0] == '/') {
    remote.insert(remote.end(), {"--ckptdir", Quote(dir)});
  }
  remote.insert(remote.end(), {Quote(SiblingPath("dmtcp_sshd")), Quote(here), cookie,
                               Quote(absl::StrJoin(command, " "))});
  std::vector<std::string> ssh_args = {SiblingPath("dmtcp_nocheckpoint")};
  ssh_args.insert(ssh_args.end(), argv + 1, argv + i + 1);
  ssh_args.push_back(absl::StrJoin(remote, " "));
  std::vector<char*> ssh_argv;
  for (std::string& a : ssh_args) ssh_argv.push_back(a.data());
  ssh_argv.push_back(nullptr);

  const pid_t ssh = fork();
  if (ssh < 0) Fail(absl::StrCat("fork: ", strerror(errno)));
  if (ssh == 0) {
    const int null = open("/dev/null", O_RDWR);
    dup2(null, STDIN_FILENO);  // our stdin goes to the command through its own stream
    execv(ssh_argv[0], ssh_argv.data());
    _exit(127);
  }
  int fds[kStreams];
  if (!AcceptStreams(listener, cookie, ssh, fds)) {
    int status = 0;
    kill(ssh, SIGTERM);
    waitpid(ssh, &status, 0);
    Fail(absl::StrCat("the command on ", host, " did not connect back (", argv[1],
                      WIFEXITED(status) ? absl::StrCat(" exited ", WEXITSTATUS(status)) : std::string(" stopped"),
                      ")"));
  }
  close(listener);
  const int code = Relay(fds);
  waitpid(ssh, nullptr, WNOHANG);  // gone with the remote command, or after a restart never ours
  return code;
}
