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

namespace {

using dmtcp::Fail;
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

int ParseCount(const std::string& option, const std::string& text, int max) {
  int value = 0;
  if (!absl::SimpleAtoi(text, &value) || value < 0 || value > max) {
    Fail(absl::StrCat("invalid value '", text, "' for ", option));
  }
  return value;
}

Options ParseOptions(int argc, char** argv) {
  Options options;
  if (const char* port = getenv(ENV_COORD_PORT); port != nullptr && *port != '\0') {
    options.server.port = ParseCount(ENV_COORD_PORT, port, 65535);
  }
  if (const char* interval = getenv(ENV_CKPT_INTERVAL); interval != nullptr && *interval) {
    options.server.interval_seconds = ParseCount(ENV_CKPT_INTERVAL, interval, 1 << 30);
  }
  if (const char* dir = getenv(ENV_CHECKPOINT_DIR); dir != nullptr) options.server.ckptdir = dir;

  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    // "--name=value" and "--name value" are both accepted.
    std::string name = arg, inline_value;
    bool has_inline_value = false;
    if (size_t eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = arg.substr(0, eq);
      inline_value = arg.substr(eq + 1);
      has_inline_value = true;
    }
    auto value = [&]() -> std::string {
      if (has_inline_value) return inline_value;
      if (i + 1 >= argc) Fail(absl::StrCat("option ", name, " needs a value"));
      return argv[++i];
    };

    if (name == "-p" || name == "--port" || name == "--coord-port") {
      options.server.port = ParseCount(name, value(), 65535);
    } else if (name == "--port-file") {
      options.port_file = value();
    } else if (name == "-i" || name == "--interval") {
      options.server.interval_seconds = ParseCount(name, value(), 1 << 30);
    } else if (name == "--timeout") {
      options.server.idle_timeout = absl::Seconds(ParseCount(name, value(), 1 << 30));
    } else if (name == "--ckptdir") {
      options.server.ckptdir = value();
    } else if (has_inline_value) {
      Fail(absl::StrCat("option ", name, " takes no value"));
    } else if (name == "--exit-on-last") {
      options.server.exit_on_last = true;
    } else if (name == "--daemon") {
      options.daemon = true;
    } else if (name == "-q" || name == "--quiet") {
      options.server.quiet = true;
    } else if (name == "--help" || name == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (name == "--version") {
      std::printf("dmtcp_coordinator (dmtcp-ng) protocol %d\n", PROTO_VERSION);
      std::exit(0);
    } else {
      Fail(absl::StrCat("unknown option '", arg, "' (try --help)"));
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
