// dmtcp_coordinator - the process every checkpointed process reports to. It decides
// when checkpoints happen and writes dmtcp_restart_script.sh after each one.
// The work is in core/coordinator; this file reads the command line and daemonizes.
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/common/env_names.h"
#include "core/common/exit_codes.h"
#include "core/coordinator/port_file.h"
#include "core/coordinator/server.h"
#include "core/protocol/protocol.h"
#include "core/tools/arg_reader.h"

namespace {

using dmtcp::ArgReader;
using dmtcp::Fail;
using dmtcp::NumberFromEnv;
using dmtcp::coordinator::Server;
using dmtcp::coordinator::ServerOptions;

constexpr char kUsage[] =
    "Usage: dmtcp_coordinator [options]\n"
    "Coordinates checkpoints of the processes started with dmtcp_launch.\n"
    "\n"
    "Options:\n"
    "  -p, --coord-port, --port N  listen on port N (default: $DMTCP_COORD_PORT or 7779;\n"
    "                              0 picks a free port)\n"
    "  --port-file F               write the port actually used to file F\n"
    "  --bind ADDR                 listen on ADDR only, and serve processes and commands\n"
    "                              from other hosts (default: every address, but this\n"
    "                              host only; on it, this user and root only)\n"
    "  -i, --interval N            checkpoint every N seconds (default: 0, never)\n"
    "  --exit-on-last              exit when the last process leaves\n"
    "  --timeout N                 exit after N seconds without any client\n"
    "  --daemon                    run in the background\n"
    "  --ckptdir D                 write dmtcp_restart_script.sh into D\n"
    "                              (default: $DMTCP_CHECKPOINT_DIR or the current directory)\n"
    "  -q, --quiet                 print no log lines\n"
    "  --help                      show this text\n"
    "  --version                   show the version\n"
    "\n"
    "Commands on standard input: c (checkpoint), s (status), l (list),\n"
    "i N (interval), k (kill), q (quit), h (help).\n";

struct Options {
  ServerOptions server;
  std::string port_file;
  bool daemon = false;
};

Options ParseOptions(int argc, char** argv) {
  Options options;
  options.server.port = static_cast<int>(NumberFromEnv(ENV_COORD_PORT, options.server.port, 0, 65535));
  options.server.interval_seconds =
      NumberFromEnv(ENV_CKPT_INTERVAL, options.server.interval_seconds, 0, 1 << 30);
  if (const char* dir = getenv(ENV_CHECKPOINT_DIR); dir != nullptr) options.server.ckptdir = dir;

  ArgReader args(argc, argv);
  while (args.Next()) {
    if (args.Is("-p", "--port", "--coord-port")) {
      options.server.port = static_cast<int>(args.Number(0, 65535));
    } else if (args.Is("--bind")) {
      options.server.bind_address = args.Value();
    } else if (args.Is("--port-file")) {
      options.port_file = args.Value();
    } else if (args.Is("-i", "--interval")) {
      options.server.interval_seconds = args.Number(0, 1 << 30);
    } else if (args.Is("--timeout")) {
      options.server.idle_timeout = absl::Seconds(args.Number(0, 1 << 30));
    } else if (args.Is("--ckptdir")) {
      options.server.ckptdir = args.Value();
    } else if (args.Is("--exit-on-last")) {
      options.server.exit_on_last = true;
    } else if (args.Is("--daemon")) {
      options.daemon = true;
    } else if (args.Is("-q", "--quiet")) {
      options.server.quiet = true;
    } else if (args.Is("--help", "-h")) {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (args.Is("--version")) {
      std::printf("dmtcp_coordinator (dmtcp-ng) protocol %d\n", PROTO_VERSION);
      std::exit(0);
    } else {
      args.Unknown();
    }
  }
  return options;
}

// Detaches from the terminal. The caller has already bound the port and written the
// port file, so whoever started us can connect as soon as we return in the parent.
void Daemonize() {
  std::fflush(nullptr);
  pid_t child = fork();
  if (child < 0) Fail("cannot fork into the background");
  if (child > 0) _exit(0);
  setsid();
  int null = open("/dev/null", O_RDWR);
  if (null >= 0) {
    dup2(null, STDIN_FILENO);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    if (null > STDERR_FILENO) close(null);
  }
}

}  // namespace

int main(int argc, char** argv) {
  dmtcp::SetProgramName(argv[0]);
  signal(SIGPIPE, SIG_IGN);  // a vanished client must not kill the coordinator
  Options options = ParseOptions(argc, argv);
  options.server.read_stdin = !options.daemon;

  absl::StatusOr<std::unique_ptr<Server>> server = Server::Listen(options.server);
  if (!server.ok()) Fail(server.status());
  if (!options.port_file.empty()) {
    absl::Status written = dmtcp::coordinator::WritePortFile(options.port_file, (*server)->port());
    if (!written.ok()) Fail(written);
  }
  if (options.daemon) Daemonize();

  absl::Status done = (*server)->Run();
  if (!done.ok()) Fail(done);
  return 0;
}
