// End-to-end test of dmtcp_coordinator and dmtcp_command as users run them, and of
// the coordinator launcher, which starts the dmtcp_coordinator binary next to this
// test. Every coordinator here listens on a free port (never 7779).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/protocol/protocol.h"
#include "core/protocol/wire.h"
#include "core/tools/coordinator_launcher.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dmtcp {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// ---- running the binaries ----

std::string Binary(const std::string& name) {
  return absl::StrCat(getenv("TEST_SRCDIR"), "/", getenv("TEST_WORKSPACE"), "/core/tools/",
                      name);
}

std::string TempDir() {
  const char* dir = getenv("TEST_TMPDIR");
  return dir != nullptr ? dir : "/tmp";
}

struct Result {
  int code = -1;
  std::string out;
  std::string err;
};

// Runs a program with extra "NAME=value" environment entries and `input` on stdin.
Result RunProgram(const std::vector<std::string>& args, const std::vector<std::string>& env = {},
                  const std::string& input = "") {
  int in[2], out[2], err[2];
  if (pipe(in) != 0 || pipe(out) != 0 || pipe(err) != 0) return {};
  pid_t child = fork();
  if (child == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) close(fd);
    for (const std::string& entry : env) putenv(strdup(entry.c_str()));
    std::vector<char*> argv;
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  if (!input.empty()) (void)!write(in[1], input.data(), input.size());
  close(in[1]);

  Result result;
  struct pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  while (open_fds > 0 && poll(fds, 2, 30000) > 0) {
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[4096];
      ssize_t n = read(fds[i].fd, buffer, sizeof(buffer));
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (const struct pollfd& pfd : fds) {
    if (pfd.fd >= 0) close(pfd.fd);
  }
  int status = 0;
  waitpid(child, &status, 0);
  result.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

Result Command(int port, std::vector<std::string> args, std::vector<std::string> env = {}) {
  args.insert(args.begin(), {Binary("dmtcp_command"), "-p", std::to_string(port)});
  return RunProgram(args, env);
}

// A port nothing listens on (just released by the kernel).
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in address;
  std::memset(&address, 0, sizeof(address));
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

// Starts `dmtcp_coordinator --daemon` on a free port; returns the port or -1.
int StartDaemon() {
  static int count = 0;
  std::string port_file = absl::StrCat(TempDir(), "/port", getpid(), "_", ++count);
  Result started = RunProgram({Binary("dmtcp_coordinator"), "--daemon", "-q", "-p", "0",
                               "--port-file", port_file, "--timeout", "120", "--ckptdir",
                               TempDir()});
  EXPECT_EQ(started.code, 0) << started.err;
  std::ifstream in(port_file);
  int port = -1;
  in >> port;
  return port;
}

void Quit(int port) {
  absl::StatusOr<int> fd = ConnectTcp("127.0.0.1", port, absl::Seconds(5));
  if (!fd.ok()) return;
  (void)SendMessage(*fd, MSG_HELLO_COMMAND, 0, CMD_QUIT, 0, 0, "");
  (void)ReceiveMessage(*fd, absl::Seconds(5));
  close(*fd);
}

int Lines(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

// ---- a small JSON reader, enough to check dmtcp_command's output ----

struct Json {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject } type = Type::kNull;
  bool boolean = false;
  double number = 0;
  std::string text;
  std::vector<Json> items;
  std::map<std::string, Json> fields;
  const Json& operator[](const std::string& key) const {
    static const Json missing;
    auto found = fields.find(key);
    return found == fields.end() ? missing : found->second;
  }
};

class JsonReader {
 public:
  explicit JsonReader(const std::string& text) : text_(text) {}
  // Parses the whole text as one value; false on any syntax error.
  bool Read(Json* value) {
    if (!Value(value)) return false;
    Space();
    return at_ == text_.size();
  }

 private:
  void Space() {
    while (at_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[at_]))) ++at_;
  }
  bool Eat(char c) {
    Space();
    if (at_ < text_.size() && text_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }
  bool Word(const char* word) {
    size_t n = std::strlen(word);
    if (text_.compare(at_, n, word) != 0) return false;
    at_ += n;
    return true;
  }
  bool String(std::string* out) {
    if (!Eat('"')) return false;
    while (at_ < text_.size() && text_[at_] != '"') {
      char c = text_[at_++];
      if (c == '\\') {
        if (at_ >= text_.size()) return false;
        char e = text_[at_++];
        if (e == 'n') {
          c = '\n';
        } else if (e == 't') {
          c = '\t';
        } else if (e == 'u') {
          if (at_ + 4 > text_.size()) return false;
          c = static_cast<char>(std::stoi(text_.substr(at_, 4), nullptr, 16));
          at_ += 4;
        } else {
          c = e;
        }
      }
      out->push_back(c);
    }
    return Eat('"');
  }
  bool Value(Json* value) {
    Space();
    if (at_ >= text_.size()) return false;
    char c = text_[at_];
    if (c == '{') {
      value->type = Json::Type::kObject;
      ++at_;
      if (Eat('}')) return true;
      do {
        std::string key;
        if (!String(&key) || !Eat(':') || !Value(&value->fields[key])) return false;
      } while (Eat(','));
      return Eat('}');
    }
    if (c == '[') {
      value->type = Json::Type::kArray;
      ++at_;
      if (Eat(']')) return true;
      do {
        value->items.emplace_back();
        if (!Value(&value->items.back())) return false;
      } while (Eat(','));
      return Eat(']');
    }
    if (c == '"') {
      value->type = Json::Type::kString;
      return String(&value->text);
    }
    if (Word("true") || Word("false")) {
      value->type = Json::Type::kBool;
      value->boolean = text_[at_ - 1] == 'e' && text_[at_ - 2] == 'u';
      return true;
    }
    if (Word("null")) return true;
    size_t used = 0;
    try {
      value->number = std::stod(text_.substr(at_), &used);
    } catch (...) {
      return false;
    }
    value->type = Json::Type::kNumber;
    at_ += used;
    return true;
  }

  const std::string& text_;
  size_t at_ = 0;
};

// The one JSON object dmtcp_command printed on one line.
Json ParseOutput(const std::string& out) {
  EXPECT_EQ(Lines(out), 1) << out;
  Json json;
  EXPECT_TRUE(JsonReader(out).Read(&json)) << out;
  EXPECT_EQ(json.type, Json::Type::kObject) << out;
  return json;
}

TEST(JsonReaderTest, ReadsWhatItShould) {
  Json json;
  ASSERT_TRUE(JsonReader(R"({"a":1,"b":[true,false,null],"c":{"d":"x\"y"}})").Read(&json));
  EXPECT_EQ(json["a"].number, 1);
  EXPECT_TRUE(json["b"].items[0].boolean);
  EXPECT_FALSE(json["b"].items[1].boolean);
  EXPECT_EQ(json["c"]["d"].text, "x\"y");
  EXPECT_FALSE(JsonReader(R"({"a":1,})").Read(&json));
  EXPECT_FALSE(JsonReader(R"({"a":1} x)").Read(&json));
}

// ---- a fake checkpointed process ----

class FakeWorker {
 public:
  explicit FakeWorker(int port) {
    fd_ = *ConnectTcp("127.0.0.1", port, absl::Seconds(5));
    EXPECT_TRUE(SendMessage(fd_, MSG_HELLO_WORKER, 0, 4242, 0, -1,
                            "prog=fakeprog\nhost=testhost\nuniq=u1\nckptdir=/ckpt\n")
                    .ok());
    EXPECT_EQ(ReceiveMessage(fd_, absl::Seconds(5))->header.type, MSG_WELCOME);
  }
  ~FakeWorker() { close(fd_); }

  // Answers a whole checkpoint in the background; `killed` tells how it ended.
  void AnswerCheckpointInBackground() {
    thread_ = std::thread([this] {
      while (true) {
        absl::StatusOr<Message> message = ReceiveMessage(fd_, absl::Seconds(20));
        if (!message.ok()) return;
        if (message->header.type == MSG_KILL) {
          killed_ = true;
          return;
        }
        int phase = static_cast<int>(message->header.arg[1]);
        std::string payload = phase == PHASE_CHECKPOINT ? "image=/ckpt/fake.dmtcp\nbytes=9\n" : "";
        (void)SendMessage(fd_, MSG_PHASE_DONE, 0, message->header.arg[0], phase, 0, payload);
        if (phase == PHASE_RESUME) return;
      }
    });
  }
  bool FinishedAndKilled() {
    thread_.join();
    return killed_;
  }

 private:
  int fd_ = -1;
  std::thread thread_;
  bool killed_ = false;
};

// ---- dmtcp_command against a live coordinator ----

class CommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = StartDaemon();
    ASSERT_GT(port_, 0);
  }
  void TearDown() override { Quit(port_); }
  int port_ = -1;
};

TEST_F(CommandTest, StatusAsText) {
  Result status = Command(port_, {"-s"});
  EXPECT_EQ(status.code, 0) << status.err;
  EXPECT_EQ(status.out, absl::StrCat("Coordinator:\n  Host: localhost\n  Port: ", port_,
                                     "\nStatus...\n  NUM_PEERS=0\n  RUNNING=no\n"
                                     "  CKPT_INTERVAL=0\n"));
  EXPECT_EQ(status.err, "");
}

TEST_F(CommandTest, BareLetterAndEnvironmentDefaults) {
  Result status = RunProgram({Binary("dmtcp_command"), "s"},
                             {"DMTCP_COORD_HOST=127.0.0.1",
                              absl::StrCat("DMTCP_COORD_PORT=", port_)});
  EXPECT_EQ(status.code, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr("  Host: 127.0.0.1\n"));
  EXPECT_THAT(status.out, HasSubstr("NUM_PEERS=0"));
}

TEST_F(CommandTest, StatusAsJson) {
  Result status = Command(port_, {"--json", "-s"});
  EXPECT_EQ(status.code, 0) << status.err;
  Json json = ParseOutput(status.out);
  EXPECT_EQ(json["schema_version"].number, 1);
  EXPECT_EQ(json["command"].text, "DMT_STATUS");
  EXPECT_EQ(json["command_status"].text, "DMT_COORD_SUCCESS");
  EXPECT_EQ(json["coordinator_host"].text, "localhost");
  EXPECT_EQ(json["coordinator_port"].number, port_);
  EXPECT_EQ(json["num_peers"].type, Json::Type::kNumber);
  EXPECT_EQ(json["num_peers"].number, 0);
  EXPECT_EQ(json["running"].type, Json::Type::kBool);
  EXPECT_FALSE(json["running"].boolean);
  EXPECT_EQ(json["checkpoint_interval"].number, 0);
}

TEST_F(CommandTest, IntervalShowsInStatus) {
  Result set = Command(port_, {"-i", "5"});
  EXPECT_EQ(set.code, 0) << set.err;
  EXPECT_THAT(Command(port_, {"-s"}).out, HasSubstr("  CKPT_INTERVAL=5\n"));
  EXPECT_EQ(Command(port_, {"--interval=7"}).code, 0);
  EXPECT_EQ(ParseOutput(Command(port_, {"--json", "s"}).out)["checkpoint_interval"].number, 7);
  Result json = Command(port_, {"--json", "i", "0"});
  EXPECT_EQ(ParseOutput(json.out)["command"].text, "DMT_UPDATE_CKPT_INTERVAL");
  EXPECT_THAT(Command(port_, {"-s"}).out, HasSubstr("  CKPT_INTERVAL=0\n"));
}

TEST_F(CommandTest, CheckpointWithoutPeersFails) {
  Result text = Command(port_, {"-c"});
  EXPECT_EQ(text.code, 99);
  EXPECT_EQ(text.out, "");
  EXPECT_EQ(Lines(text.err), 1);
  EXPECT_THAT(text.err, StartsWith("dmtcp_command: no processes"));

  Result json = Command(port_, {"--json", "-bc"});
  EXPECT_EQ(json.code, 99);
  Json object = ParseOutput(json.out);
  EXPECT_EQ(object["command"].text, "DMT_BLOCKING_CKPT");
  EXPECT_EQ(object["command_status"].text, "DMT_COORD_ERROR_NO_PEERS");
  EXPECT_EQ(Lines(json.err), 1);
}

TEST_F(CommandTest, FailRcChangesTheExitCode) {
  EXPECT_EQ(Command(port_, {"-c"}, {"DMTCP_FAIL_RC=42"}).code, 42);
}

TEST_F(CommandTest, ListAndCheckpointsWithAWorker) {
  FakeWorker worker(port_);
  Result list = Command(port_, {"-l"});
  EXPECT_EQ(list.code, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr(", 4242, testhost, fakeprog, RUNNING, -\n"));

  Json json = ParseOutput(Command(port_, {"--json", "--list"}).out);
  EXPECT_EQ(json["command"].text, "DMT_LIST");
  EXPECT_EQ(json["num_peers"].number, 1);
  EXPECT_TRUE(json["running"].boolean);
  ASSERT_EQ(json["peers"].items.size(), 1u);
  const Json& peer = json["peers"].items[0];
  EXPECT_EQ(peer["pid"].number, 4242);
  EXPECT_EQ(peer["host"].text, "testhost");
  EXPECT_EQ(peer["program"].text, "fakeprog");
  EXPECT_EQ(peer["state"].text, "RUNNING");

  worker.AnswerCheckpointInBackground();
  Result blocking = Command(port_, {"--json", "--bcheckpoint"});
  EXPECT_EQ(blocking.code, 0) << blocking.err;
  json = ParseOutput(blocking.out);
  EXPECT_EQ(json["command"].text, "DMT_BLOCKING_CKPT");
  EXPECT_EQ(json["command_status"].text, "DMT_COORD_SUCCESS");
  ASSERT_EQ(json["images"].items.size(), 1u);
  EXPECT_EQ(json["images"].items[0].text, "/ckpt/fake.dmtcp");
  EXPECT_FALSE(worker.FinishedAndKilled());  // it was resumed
  std::ifstream script(TempDir() + "/dmtcp_restart_script.sh");
  std::stringstream script_text;
  script_text << script.rdbuf();
  EXPECT_THAT(script_text.str(), HasSubstr("'/ckpt/fake.dmtcp'"));

  worker.AnswerCheckpointInBackground();
  Result kill = Command(port_, {"-kc"});
  EXPECT_EQ(kill.code, 0) << kill.err;
  EXPECT_EQ(kill.out, "/ckpt/fake.dmtcp\n");
  EXPECT_TRUE(worker.FinishedAndKilled());
}

TEST_F(CommandTest, QuitStopsTheCoordinator) {
  Result quit = Command(port_, {"-q"});
  EXPECT_EQ(quit.code, 0) << quit.err;
  Result status = Command(port_, {"--json", "-s"});
  EXPECT_EQ(status.code, 99);
  EXPECT_EQ(ParseOutput(status.out)["command_status"].text, "DMT_COORD_NOT_RUNNING");
}

TEST(CommandErrorsTest, UnreachableCoordinator) {
  int port = FreePort();
  Result json = Command(port, {"--json", "-s"});
  EXPECT_EQ(json.code, 99);
  Json object = ParseOutput(json.out);
  EXPECT_EQ(object["command_status"].text, "DMT_COORD_NOT_RUNNING");
  EXPECT_EQ(object["command"].text, "DMT_STATUS");
  EXPECT_EQ(object["coordinator_port"].number, port);
  EXPECT_EQ(Lines(json.err), 1);
  EXPECT_THAT(json.err, HasSubstr(absl::StrCat("no coordinator is running at localhost:", port)));

  Result text = Command(port, {"-s"}, {"DMTCP_FAIL_RC=42"});
  EXPECT_EQ(text.code, 42);
  EXPECT_EQ(text.out, "");
}

TEST(CommandErrorsTest, BadCommandLines) {
  std::string command = Binary("dmtcp_command");
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {command, "--bogus"},
           {command},
           {command, "-s", "-l"},
           {command, "-p"},
           {command, "-p", "notaport", "-s"},
           {command, "-i", "soon"},
       }) {
    Result result = RunProgram(args);
    EXPECT_EQ(result.code, 99) << absl::StrJoin(args, " ");
    EXPECT_EQ(Lines(result.err), 1) << result.err;
    EXPECT_THAT(result.err, StartsWith("dmtcp_command: "));
    EXPECT_EQ(result.out, "");
  }
  EXPECT_EQ(RunProgram({command, "--bogus"}, {"DMTCP_FAIL_RC=3"}).code, 3);
  Result help = RunProgram({command, "--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_THAT(help.out, HasSubstr("--bcheckpoint"));
}

// ---- dmtcp_coordinator's own command line ----

TEST(CoordinatorBinaryTest, BadOptionsAndPortInUse) {
  std::string coordinator = Binary("dmtcp_coordinator");
  Result bogus = RunProgram({coordinator, "--bogus"});
  EXPECT_EQ(bogus.code, 99);
  EXPECT_EQ(Lines(bogus.err), 1);
  EXPECT_THAT(bogus.err, StartsWith("dmtcp_coordinator: unknown option --bogus"));
  EXPECT_EQ(RunProgram({coordinator, "-p", "70000"}).code, 99);
  EXPECT_EQ(RunProgram({coordinator, "--interval"}).code, 99);

  int port = StartDaemon();
  ASSERT_GT(port, 0);
  Result taken = RunProgram({coordinator, "-p", std::to_string(port)});
  EXPECT_EQ(taken.code, 99);
  EXPECT_EQ(Lines(taken.err), 1);
  EXPECT_THAT(taken.err, HasSubstr("already in use"));
  Result taken_daemon = RunProgram({coordinator, "--daemon", "-p", std::to_string(port)},
                                   {"DMTCP_FAIL_RC=5"});
  EXPECT_EQ(taken_daemon.code, 5);  // fails before forking
  Quit(port);

  EXPECT_EQ(RunProgram({coordinator, "--help"}).code, 0);
  EXPECT_THAT(RunProgram({coordinator, "--version"}).out, HasSubstr("dmtcp_coordinator"));
}

TEST(CoordinatorBinaryTest, StdinCommands) {
  std::string port_file = TempDir() + "/stdin_port";
  Result run = RunProgram({Binary("dmtcp_coordinator"), "-p", "0", "--port-file", port_file},
                          {}, "s\nh\ni 12\ns\nq\n");
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("[coordinator] listening on port "));
  EXPECT_THAT(run.out, HasSubstr("NUM_PEERS=0\n  RUNNING=no\n  CKPT_INTERVAL=0\n"));
  EXPECT_THAT(run.out, HasSubstr("c    checkpoint every process"));
  EXPECT_THAT(run.out, HasSubstr("CKPT_INTERVAL=12\n"));
  EXPECT_THAT(run.out, HasSubstr("[coordinator] quitting"));
}

TEST(CoordinatorBinaryTest, TimeoutWithoutClients) {
  absl::Time start = absl::Now();
  Result run = RunProgram({Binary("dmtcp_coordinator"), "-q", "-p", "0", "--timeout", "1"});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(900));
  EXPECT_EQ(run.out, "");
}

// ---- the launcher ----

Result Status(int port) { return Command(port, {"--json", "-s"}); }

TEST(LauncherTest, StartsNewCoordinatorOnAnyPortAndJoinsIt) {
  absl::StatusOr<CoordinatorAddress> started =
      EnsureCoordinator({"localhost", "", 0}, CoordinatorMode::kStartNew, {});
  ASSERT_TRUE(started.ok()) << started.status();
  EXPECT_GT(started->port, 0);
  EXPECT_EQ(started->host, "localhost");
  EXPECT_THAT(started->numeric_host, StartsWith("127."));
  EXPECT_EQ(Status(started->port).code, 0);

  for (CoordinatorMode mode : {CoordinatorMode::kJoinOnly, CoordinatorMode::kJoinOrStart}) {
    absl::StatusOr<CoordinatorAddress> joined =
        EnsureCoordinator({"localhost", "", started->port}, mode, {});
    ASSERT_TRUE(joined.ok()) << joined.status();
    EXPECT_EQ(joined->port, started->port);
  }
  absl::StatusOr<CoordinatorAddress> again =
      EnsureCoordinator({"localhost", "", started->port}, CoordinatorMode::kStartNew, {});
  ASSERT_FALSE(again.ok());
  EXPECT_THAT(std::string(again.status().message()), HasSubstr("already in use"));
  Quit(started->port);
}

TEST(LauncherTest, JoinOnlyFailsWithoutCoordinator) {
  int port = FreePort();
  absl::StatusOr<CoordinatorAddress> joined =
      EnsureCoordinator({"localhost", "", port}, CoordinatorMode::kJoinOnly, {});
  ASSERT_FALSE(joined.ok());
  EXPECT_THAT(std::string(joined.status().message()),
              HasSubstr(absl::StrCat("no coordinator is running at localhost:", port)));
}

TEST(LauncherTest, JoinOrStartStartsOnTheWantedPortWithTheInterval) {
  int port = FreePort();
  CoordinatorStartOptions options;
  options.interval = 9;
  absl::StatusOr<CoordinatorAddress> started =
      EnsureCoordinator({"127.0.0.1", "", port}, CoordinatorMode::kJoinOrStart, options);
  ASSERT_TRUE(started.ok()) << started.status();
  EXPECT_EQ(started->port, port);
  EXPECT_EQ(started->numeric_host, "127.0.0.1");
  Json json = ParseOutput(Status(port).out);
  EXPECT_EQ(json["command_status"].text, "DMT_COORD_SUCCESS");
  EXPECT_EQ(json["checkpoint_interval"].number, 9);
  Quit(port);
}

TEST(LauncherTest, SomethingElseOnThePortIsReported) {
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in address;
  std::memset(&address, 0, sizeof(address));
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(listener, 4), 0);
  socklen_t length = sizeof(address);
  getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  int port = ntohs(address.sin_port);
  // A web server, say: it answers anything with text.
  std::thread stranger([listener] {
    int fd = accept(listener, nullptr, nullptr);
    std::string answer =
        "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    (void)!write(fd, answer.data(), answer.size());
    close(fd);
  });
  absl::StatusOr<CoordinatorAddress> joined =
      EnsureCoordinator({"localhost", "", port}, CoordinatorMode::kJoinOrStart, {});
  stranger.join();
  close(listener);
  ASSERT_FALSE(joined.ok());
  EXPECT_THAT(std::string(joined.status().message()),
              HasSubstr(absl::StrCat("listening on localhost:", port,
                                     " is not a dmtcp coordinator")));
}

TEST(LauncherTest, UnresolvableHostIsReported) {
  absl::StatusOr<CoordinatorAddress> joined =
      EnsureCoordinator({"no-such-host.invalid", "", FreePort()},
                        CoordinatorMode::kJoinOrStart, {});
  ASSERT_FALSE(joined.ok());
  EXPECT_THAT(std::string(joined.status().message()), HasSubstr("no-such-host.invalid"));
}

}  // namespace
}  // namespace dmtcp
