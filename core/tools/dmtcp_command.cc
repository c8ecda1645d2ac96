// dmtcp_command - sends one command to a running dmtcp_coordinator and prints the
// answer, as text or (--json) as one JSON object in DMTCP's schema.
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/common/env_names.h"
#include "core/common/exit_codes.h"
#include "core/protocol/protocol.h"
#include "core/protocol/wire.h"
#include "core/tools/arg_reader.h"
#include "core/tools/coordinator_launcher.h"

namespace {

using dmtcp::Fail;

constexpr char kUsage[] =
    "Usage: dmtcp_command [options] COMMAND\n"
    "Sends COMMAND to the dmtcp_coordinator.\n"
    "\n"
    "Commands:\n"
    "  -s, --status        show the coordinator's status\n"
    "  -l, --list          list the processes of the computation\n"
    "  -c, --checkpoint    start a checkpoint and return\n"
    "  -bc, --bcheckpoint  checkpoint and return when every image is written\n"
    "  -kc, --kcheckpoint  checkpoint, then kill the computation\n"
    "  -i, --interval N    checkpoint every N seconds (0: never)\n"
    "  -k, --kill          kill every process of the computation\n"
    "  -q, --quit          kill every process and stop the coordinator\n"
    "  The letters alone work too: dmtcp_command s\n"
    "\n"
    "Options:\n"
    "  -h, --coord-host H           coordinator host (default: $DMTCP_COORD_HOST or localhost)\n"
    "  -p, --coord-port, --port P   coordinator port (default: $DMTCP_COORD_PORT or 7779)\n"
    "  --json                       print the result as one JSON object\n"
    "  --help                       show this text\n";

struct Options {
  std::string host = "localhost";
  int port = PROTO_DEFAULT_PORT;
  int command = 0;  // CMD_*
  int64_t interval = 0;
  bool json = false;
};

struct CommandSpelling {
  const char* long_name;
  const char* short_name;
  const char* bare_name;
  int code;
  const char* json_name;
};

constexpr CommandSpelling kCommands[] = {
    {"--status", "-s", "s", CMD_STATUS, "DMT_STATUS"},
    {"--list", "-l", "l", CMD_LIST, "DMT_LIST"},
    {"--checkpoint", "-c", "c", CMD_CHECKPOINT, "DMT_CHECKPOINT"},
    {"--bcheckpoint", "-bc", "bc", CMD_BCHECKPOINT, "DMT_BLOCKING_CKPT"},
    {"--kcheckpoint", "-kc", "kc", CMD_KCHECKPOINT, "DMT_KILL_AFTER_CKPT"},
    {"--interval", "-i", "i", CMD_INTERVAL, "DMT_UPDATE_CKPT_INTERVAL"},
    {"--kill", "-k", "k", CMD_KILL, "DMT_KILL"},
    {"--quit", "-q", "q", CMD_QUIT, "DMT_QUIT"},
};

const char* JsonCommandName(int code) {
  for (const CommandSpelling& spelling : kCommands) {
    if (spelling.code == code) return spelling.json_name;
  }
  return "DMT_UNKNOWN";
}

const char* StatusName(int status) {
  switch (status) {
    case DMT_COORD_SUCCESS: return "DMT_COORD_SUCCESS";
    case DMT_COORD_NOT_RUNNING: return "DMT_COORD_NOT_RUNNING";
    case DMT_COORD_ERROR_INVALID_COMMAND: return "DMT_COORD_ERROR_INVALID_COMMAND";
    case DMT_COORD_ERROR_NOT_RUNNING_STATE: return "DMT_COORD_ERROR_NOT_RUNNING_STATE";
    case DMT_COORD_ERROR_NO_PEERS: return "DMT_COORD_ERROR_NO_PEERS";
    case DMT_COORD_ERROR_CHECKPOINT_FAILED: return "DMT_COORD_ERROR_CHECKPOINT_FAILED";
  }
  return "DMT_COORD_ERROR_INVALID_COMMAND";
}

Options ParseOptions(int argc, char** argv) {
  Options options;
  dmtcp::CoordinatorAddress coord = dmtcp::CoordinatorFromEnvironment();
  dmtcp::ArgReader args(argc, argv);
  while (args.Next()) {
    if (dmtcp::TakeCoordinatorOption(args, &coord, nullptr)) continue;
    if (args.Is("--json")) {
      options.json = true;
      continue;
    }
    if (args.Is("--help")) {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    const CommandSpelling* command = nullptr;
    for (const CommandSpelling& spelling : kCommands) {
      if (args.Is(spelling.long_name, spelling.short_name, spelling.bare_name)) command = &spelling;
    }
    if (command == nullptr) args.Unknown();
    if (options.command != 0) Fail("give only one command (try --help)");
    options.command = command->code;
    if (command->code == CMD_INTERVAL) options.interval = args.Number(0, 1 << 30);
  }
  if (options.command == 0) Fail("no command given (try --help)");
  options.host = coord.host;
  options.port = coord.port;
  return options;
}

std::string JsonString(const std::string& text) {
  std::string quoted = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"': quoted += "\\\""; break;
      case '\\': quoted += "\\\\"; break;
      case '\n': quoted += "\\n"; break;
      case '\t': quoted += "\\t"; break;
      default:
        if (c < 0x20) {
          absl::StrAppendFormat(&quoted, "\\u%04x", c);
        } else {
          quoted += static_cast<char>(c);
        }
    }
  }
  return quoted + "\"";
}

// One CMD_LIST line: "id pid host prog state image" (image is the rest of the line).
struct Peer {
  std::string id, pid, host, prog, state, image;
};

std::vector<Peer> ParseList(const std::string& payload) {
  std::vector<Peer> peers;
  for (absl::string_view line : absl::StrSplit(payload, '\n', absl::SkipEmpty())) {
    std::vector<std::string> fields = absl::StrSplit(line, absl::MaxSplits(' ', 5));
    if (fields.size() < 6) continue;
    peers.push_back({fields[0], fields[1], fields[2], fields[3], fields[4],
                     fields[5] == "-" ? "" : fields[5]});
  }
  return peers;
}

// What the coordinator said, or nothing if it could not be reached.
struct Outcome {
  int status = DMT_COORD_NOT_RUNNING;
  std::optional<dmtcp::Message> reply;
  std::string error;  // for the one line on stderr
};

Outcome Ask(const Options& options) {
  Outcome outcome;
  absl::StatusOr<int> fd = dmtcp::ConnectTcp(options.host, options.port, absl::Seconds(5));
  if (!fd.ok()) {
    outcome.error = absl::StrCat("no coordinator is running at ", options.host, ":",
                                 options.port, " (", fd.status().message(), ")");
    return outcome;
  }
  absl::Status sent = dmtcp::SendMessage(*fd, MSG_HELLO_COMMAND, 0, options.command,
                                         options.interval, 0, "");
  // Blocking checkpoints take as long as writing the images takes.
  bool blocking = options.command == CMD_BCHECKPOINT || options.command == CMD_KCHECKPOINT;
  absl::StatusOr<dmtcp::Message> reply =
      sent.ok() ? dmtcp::ReceiveMessage(*fd, blocking ? absl::InfiniteDuration()
                                                      : absl::Seconds(30))
                : absl::StatusOr<dmtcp::Message>(sent);
  close(*fd);
  if (!reply.ok() && absl::IsPermissionDenied(reply.status())) {
    outcome.error = std::string(reply.status().message());  // the coordinator said why
    return outcome;
  } else if (!reply.ok() || reply->header.type != MSG_COMMAND_REPLY) {
    outcome.error = absl::StrCat(
        "the program at ", options.host, ":", options.port, " did not answer like a coordinator (",
        reply.ok() ? absl::StrCat("message type ", reply->header.type)
                   : std::string(reply.status().message()),
        ")");
    return outcome;
  }
  outcome.status = reply->header.status;
  outcome.reply = *reply;
  // Things the checkpoint could not save well, named by the coordinator.
  for (const auto& [key, value] : dmtcp::KeyValueLines(reply->payload)) {
    if (key == "warning") fprintf(stderr, "%s: warning: %s\n", dmtcp::ProgramName(), value.c_str());
    if (key == "truncated") {
      fprintf(stderr, "%s: %s more lines of the reply were left out (too many for one message; "
              "dmtcp_restart_script.sh names every image)\n", dmtcp::ProgramName(), value.c_str());
    }
  }
  if (outcome.status != DMT_COORD_SUCCESS) {
    std::vector<std::string> errors;
    for (const auto& [key, value] : dmtcp::KeyValueLines(reply->payload)) {
      if (key == "error") errors.push_back(value);
    }
    outcome.error = errors.empty() ? StatusName(outcome.status) : absl::StrJoin(errors, "; ");
  }
  return outcome;
}

std::vector<std::string> Images(const std::string& payload) {
  std::vector<std::string> images;
  for (const auto& [key, value] : dmtcp::KeyValueLines(payload)) {
    if (key == "image") images.push_back(value);
  }
  return images;
}

void PrintJson(const Options& options, const Outcome& outcome) {
  std::string json = absl::StrFormat(
      "{\"schema_version\":1,\"command\":%s,\"command_status\":%s,"
      "\"coordinator_host\":%s,\"coordinator_port\":%d",
      JsonString(JsonCommandName(options.command)), JsonString(StatusName(outcome.status)),
      JsonString(options.host), options.port);
  if (outcome.reply.has_value()) {
    const msg_header& header = outcome.reply->header;
    const std::string& payload = outcome.reply->payload;
    int code = options.command;
    if (code == CMD_STATUS || code == CMD_LIST || code == CMD_INTERVAL) {
      absl::StrAppendFormat(&json, ",\"num_peers\":%d,\"running\":%s,\"checkpoint_interval\":%d",
                            header.arg[0], header.arg[1] ? "true" : "false", header.arg[2]);
    }
    if (code == CMD_LIST) {
      std::vector<std::string> peers;
      for (const Peer& peer : ParseList(payload)) {
        int64_t id = 0, pid = 0;
        (void)absl::SimpleAtoi(peer.id, &id);
        (void)absl::SimpleAtoi(peer.pid, &pid);
        peers.push_back(absl::StrFormat(
            "{\"id\":%d,\"pid\":%d,\"host\":%s,\"program\":%s,\"state\":%s,\"image\":%s}",
            id, pid, JsonString(peer.host), JsonString(peer.prog),
            JsonString(peer.state), JsonString(peer.image)));
      }
      absl::StrAppend(&json, ",\"peers\":[", absl::StrJoin(peers, ","), "]");
    }
    if (code == CMD_BCHECKPOINT || code == CMD_KCHECKPOINT) {
      std::vector<std::string> images;
      for (const std::string& image : Images(payload)) images.push_back(JsonString(image));
      absl::StrAppend(&json, ",\"images\":[", absl::StrJoin(images, ","), "]");
    }
  }
  std::printf("%s}\n", json.c_str());
}

void PrintText(const Options& options, const Outcome& outcome) {
  const msg_header& header = outcome.reply->header;
  const std::string& payload = outcome.reply->payload;
  switch (options.command) {
    case CMD_STATUS:
      std::printf("Coordinator:\n  Host: %s\n  Port: %d\n", options.host.c_str(), options.port);
      std::printf("Status...\n  NUM_PEERS=%lld\n  RUNNING=%s\n  CKPT_INTERVAL=%lld\n",
                  static_cast<long long>(header.arg[0]), header.arg[1] ? "yes" : "no",
                  static_cast<long long>(header.arg[2]));
      break;
    case CMD_LIST: {
      std::printf("Coordinator:\n  Host: %s\n  Port: %d\n", options.host.c_str(), options.port);
      std::printf("Client List:\n#, PID, HOST, PROGRAM, STATE, IMAGE\n");
      for (const Peer& peer : ParseList(payload)) {
        std::printf("%s, %s, %s, %s, %s, %s\n", peer.id.c_str(), peer.pid.c_str(),
                    peer.host.c_str(), peer.prog.c_str(), peer.state.c_str(),
                    peer.image.empty() ? "-" : peer.image.c_str());
      }
      break;
    }
    case CMD_BCHECKPOINT:
    case CMD_KCHECKPOINT:
      for (const std::string& image : Images(payload)) std::printf("%s\n", image.c_str());
      break;
    default:
      break;  // nothing to say on success
  }
}

}  // namespace

int main(int argc, char** argv) {
  dmtcp::SetProgramName(argv[0]);
  signal(SIGPIPE, SIG_IGN);
  Options options = ParseOptions(argc, argv);
  Outcome outcome = Ask(options);
  if (options.json) {
    PrintJson(options, outcome);
  } else if (outcome.status == DMT_COORD_SUCCESS) {
    PrintText(options, outcome);
  }
  std::fflush(stdout);
  if (outcome.status != DMT_COORD_SUCCESS) Fail(outcome.error);
  return 0;
}
