// Socket-level test of the coordinator: the real server runs in a thread on a free
// port; fake workers, command clients and restart clients talk to it over TCP.
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "core/coordinator/server.h"
#include "core/protocol/protocol.h"
#include "core/protocol/wire.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dmtcp::coordinator {
namespace {

using ::testing::HasSubstr;

constexpr absl::Duration kWait = absl::Seconds(10);

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Speaks the worker side of the protocol.
class FakeWorker {
 public:
  FakeWorker(int port, int64_t pid, int64_t flags = 0, std::string extra = "") {
    absl::StatusOr<int> fd = ConnectTcp("127.0.0.1", port, kWait);
    EXPECT_TRUE(fd.ok()) << fd.status();
    fd_ = fd.ok() ? *fd : -1;
    std::string payload = absl::StrCat("prog=fake", pid, "\nhost=testhost\nuniq=u", pid,
                                       "\nckptdir=/ckpt\n", extra);
    EXPECT_TRUE(SendMessage(fd_, MSG_HELLO_WORKER, 0, pid, flags, -1, payload).ok());
    Message welcome = Expect(MSG_WELCOME);
    id_ = welcome.header.arg[0];
  }
  ~FakeWorker() { Leave(); }

  // The next message, which must be of `type` (and phase, for MSG_PHASE).
  Message Expect(int type, int phase = 0) {
    absl::StatusOr<Message> got = ReceiveMessage(fd_, kWait);
    EXPECT_TRUE(got.ok()) << "worker " << id_ << ": " << got.status();
    if (!got.ok()) return Message{};
    EXPECT_EQ(got->header.type, type) << "worker " << id_;
    if (phase != 0) {
      EXPECT_EQ(got->header.arg[1], phase) << "worker " << id_;
    }
    return *got;
  }
  // True if nothing arrives for a while (the worker is being held).
  bool Quiet(absl::Duration wait = absl::Milliseconds(300)) {
    return absl::IsDeadlineExceeded(ReceiveMessage(fd_, wait).status());
  }
  // One name-service request (KVDB_*), and its reply.
  Message Kvdb(int op, const std::string& payload) {
    EXPECT_TRUE(SendMessage(fd_, MSG_KVDB, 0, op, 0, 0, payload).ok());
    return Expect(MSG_KVDB_REPLY);
  }
  void Done(int64_t ckpt, int phase, int32_t status = 0, std::string payload = "") {
    EXPECT_TRUE(SendMessage(fd_, MSG_PHASE_DONE, status, ckpt, phase, 0, payload).ok());
  }
  // Answers one whole checkpoint phase: expects it, then reports it done.
  Message Answer(int phase, std::string payload = "") {
    Message message = Expect(MSG_PHASE, phase);
    Done(message.header.arg[0], phase, 0, payload);
    return message;
  }
  void Leave() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  int64_t id() const { return id_; }

 private:
  int fd_ = -1;
  int64_t id_ = 0;
};

class CoordinatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* base = getenv("TEST_TMPDIR");
    ckptdir_ = absl::StrCat(base != nullptr ? base : "/tmp", "/coordXXXXXX");
    ASSERT_NE(mkdtemp(ckptdir_.data()), nullptr);
  }

  void Start(ServerOptions options = {}) {
    options.port = 0;
    options.read_stdin = false;
    options.ckptdir = ckptdir_;
    absl::StatusOr<std::unique_ptr<Server>> server = Server::Listen(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    port_ = server_->port();
    ASSERT_GT(port_, 0);
    finished_ = std::async(std::launch::async, [this] { return server_->Run(); });
  }

  void TearDown() override {
    if (!server_) return;
    if (!Stopped(absl::ZeroDuration())) Command(CMD_QUIT);
    EXPECT_TRUE(Stopped(kWait));
  }

  bool Stopped(absl::Duration wait) {
    return finished_.wait_for(absl::ToChronoMilliseconds(wait)) == std::future_status::ready;
  }

  // Sends a command and returns the connection, for replies that come later.
  int SendCommand(int code, int64_t arg = 0) {
    absl::StatusOr<int> fd = ConnectTcp("localhost", port_, kWait);
    EXPECT_TRUE(fd.ok()) << fd.status();
    EXPECT_TRUE(SendMessage(*fd, MSG_HELLO_COMMAND, 0, code, arg, 0, "").ok());
    return *fd;
  }
  Message Reply(int fd) {
    absl::StatusOr<Message> reply = ReceiveMessage(fd, kWait);
    close(fd);
    EXPECT_TRUE(reply.ok()) << reply.status();
    if (!reply.ok()) return Message{};
    EXPECT_EQ(reply->header.type, MSG_COMMAND_REPLY);
    return *reply;
  }
  Message Command(int code, int64_t arg = 0) { return Reply(SendCommand(code, arg)); }

  std::string ckptdir_;
  std::unique_ptr<Server> server_;
  int port_ = 0;
  std::future<absl::Status> finished_;
};

TEST_F(CoordinatorTest, BlockingCheckpointRunsTheBarriersAndWritesTheScript) {
  Start();
  FakeWorker a(port_, 1001);
  FakeWorker b(port_, 1002);
  EXPECT_NE(a.id(), b.id());

  int command = SendCommand(CMD_BCHECKPOINT);
  Message suspend = a.Expect(MSG_PHASE, PHASE_SUSPEND);
  EXPECT_EQ(suspend.header.arg[0], 1);
  EXPECT_EQ(suspend.header.arg[2], 0);
  b.Expect(MSG_PHASE, PHASE_SUSPEND);
  a.Done(1, PHASE_SUSPEND);
  EXPECT_TRUE(a.Quiet());  // b has not suspended yet
  b.Done(1, PHASE_SUSPEND);

  a.Answer(PHASE_CHECKPOINT, "image=/ckpt/a.dmtcp\nbytes=100\n");
  b.Expect(MSG_PHASE, PHASE_CHECKPOINT);
  absl::StatusOr<Message> early = ReceiveMessage(command, absl::Milliseconds(200));
  EXPECT_TRUE(absl::IsDeadlineExceeded(early.status()));  // b's image is not written
  b.Done(1, PHASE_CHECKPOINT, 0, "image=/ckpt/b.dmtcp\nbytes=200\n");

  Message reply = Reply(command);
  EXPECT_EQ(reply.header.status, DMT_COORD_SUCCESS);
  EXPECT_EQ(reply.header.arg[0], 2);
  EXPECT_EQ(reply.payload, "ckpt=1\nimage=/ckpt/a.dmtcp\nimage=/ckpt/b.dmtcp\n");

  // The script exists by the time the reply arrives.
  std::string script = ReadFile(ckptdir_ + "/dmtcp_restart_script.sh");
  EXPECT_THAT(script, HasSubstr("'/ckpt/a.dmtcp'\n  '/ckpt/b.dmtcp'\n"));
  EXPECT_THAT(script, HasSubstr(absl::StrCat("coord_port=${DMTCP_COORD_PORT:-", port_, "}\n")));
  EXPECT_THAT(script, HasSubstr(absl::StrCat("#   computation: ", server_->compid())));

  a.Answer(PHASE_RESUME);
  b.Answer(PHASE_RESUME);
  Message status = Command(CMD_STATUS);
  EXPECT_EQ(status.header.arg[0], 2);
  EXPECT_EQ(status.header.arg[1], 1);  // running again
}

// Load: a thousand workers, each its own connection, through a whole blocking
// checkpoint with image paths as long as real ones; every barrier releases every one
// of them, and the reply, too long for one message, says how many images it leaves
// out. Prints how long each barrier took, from the first worker's report to the last
// worker's release (no timed assertion: bench figures go in the note).
TEST_F(CoordinatorTest, AThousandWorkersPassEveryBarrier) {
  constexpr int kWorkers = 1000;
  struct rlimit files;
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &files), 0);
  const rlim_t need = 2 * kWorkers + 100;  // both ends of each connection are ours
  if (files.rlim_max < need) {
    GTEST_SKIP() << "SKIPPED LOUDLY: the hard limit on open files is " << files.rlim_max
                 << ", and this test needs " << need;
  }
  files.rlim_cur = std::max(files.rlim_cur, need);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &files), 0);
  Start();
  std::vector<std::unique_ptr<FakeWorker>> workers;
  for (int i = 0; i < kWorkers; i++) workers.push_back(std::make_unique<FakeWorker>(port_, 10000 + i));
  EXPECT_EQ(Command(CMD_STATUS).header.arg[0], kWorkers);

  const int command = SendCommand(CMD_BCHECKPOINT);
  for (auto& w : workers) w->Expect(MSG_PHASE, PHASE_SUSPEND);
  for (int phase : {PHASE_SUSPEND, PHASE_CHECKPOINT}) {
    const absl::Time start = absl::Now();
    for (auto& w : workers) {
      const std::string image = absl::StrCat(ckptdir_, "/ckpt_fake", w->id(), "_007f0100-",
                                             w->id(), "-6b173814.dmtcp");
      w->Done(1, phase, 0, phase == PHASE_CHECKPOINT ? absl::StrCat("image=", image, "\n") : "");
    }
    if (phase == PHASE_SUSPEND) {
      for (auto& w : workers) w->Expect(MSG_PHASE, PHASE_CHECKPOINT);
    }
    Message reply = phase == PHASE_CHECKPOINT ? Reply(command) : Message{};
    std::printf("barrier %d with %d workers: %.1f ms\n", phase, kWorkers,
                absl::ToDoubleMilliseconds(absl::Now() - start));
    if (phase == PHASE_CHECKPOINT) {
      EXPECT_EQ(reply.header.status, DMT_COORD_SUCCESS);
      EXPECT_EQ(reply.header.arg[0], kWorkers);
      EXPECT_LE(reply.payload.size(), static_cast<size_t>(PROTO_MAX_PAYLOAD));
      EXPECT_THAT(reply.payload, HasSubstr("\ntruncated="));
    }
  }
  for (auto& w : workers) w->Answer(PHASE_RESUME);
  std::string script = ReadFile(ckptdir_ + "/dmtcp_restart_script.sh");
  EXPECT_THAT(script, HasSubstr(absl::StrCat("/ckpt_fake", workers.back()->id(), "_")));
  EXPECT_EQ(Command(CMD_STATUS).header.arg[1], 1);  // running again
}

// The name service under load, as the restart of a densely connected computation uses
// it (every connection between hosts: one set, one get; core/restart/meeting.h): one
// worker sets 2,000 keys and reads each back, a request at a time. Every value must
// come back. Prints what one request costs, round trip included (docs/scaling.md).
TEST_F(CoordinatorTest, NameServiceAnswersThousandsOfRequests) {
  Start();
  FakeWorker a(port_, 1001);
  constexpr int kKeys = 2000;
  auto request = [](int i, bool with_value) {
    return absl::StrCat("db=", absl::BytesToHexString("scale"), "\nkey=",
                        absl::BytesToHexString(absl::StrCat("10.0.0.1:", i, ">10.0.0.2:", 5000 + i)),
                        "\nvalue=", with_value ? absl::BytesToHexString(absl::StrCat("port ", i)) : "",
                        "\n");
  };
  for (int op : {KVDB_SET, KVDB_GET}) {
    const absl::Time start = absl::Now();
    for (int i = 0; i < kKeys; i++) {
      Message reply = a.Kvdb(op, request(i, op == KVDB_SET));
      if (op == KVDB_GET) {
        ASSERT_EQ(reply.header.status, KVDB_R_SUCCESS) << "key " << i;
        ASSERT_THAT(reply.payload, HasSubstr(absl::BytesToHexString(absl::StrCat("port ", i)))) << i;
      }
    }
    std::printf("%d name-service %s requests, one at a time: %.1f us each\n", kKeys,
                op == KVDB_SET ? "set" : "get",
                absl::ToDoubleMicroseconds(absl::Now() - start) / kKeys);
  }
}

// A coordinator serves one connection per process: it takes all the descriptors it may
// have, not the soft limit's 1024 or fewer.
TEST_F(CoordinatorTest, TakesEveryFileDescriptorItMayHave) {
  struct rlimit files;
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &files), 0);
  if (files.rlim_max <= 256) GTEST_SKIP() << "SKIPPED LOUDLY: the hard limit is only " << files.rlim_max;
  files.rlim_cur = 256;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &files), 0);
  Start();
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &files), 0);
  EXPECT_EQ(files.rlim_cur, files.rlim_max);
}

TEST_F(CoordinatorTest, PlainCheckpointRepliesAtOnceAndRefusesASecond) {
  Start();
  FakeWorker a(port_, 1001);
  Message reply = Command(CMD_CHECKPOINT);
  EXPECT_EQ(reply.header.status, DMT_COORD_SUCCESS);
  EXPECT_EQ(reply.payload, "ckpt=1\n");
  a.Expect(MSG_PHASE, PHASE_SUSPEND);
  EXPECT_EQ(Command(CMD_CHECKPOINT).header.status, DMT_COORD_ERROR_NOT_RUNNING_STATE);
  EXPECT_EQ(Command(CMD_STATUS).header.arg[1], 0);  // not running mid-checkpoint
}

TEST_F(CoordinatorTest, CheckpointWithoutWorkersHasNoPeers) {
  Start();
  Message reply = Command(CMD_CHECKPOINT);
  EXPECT_EQ(reply.header.status, DMT_COORD_ERROR_NO_PEERS);
  EXPECT_THAT(reply.payload, HasSubstr("error="));
}

TEST_F(CoordinatorTest, KillCheckpointKillsAfterTheImages) {
  Start();
  FakeWorker a(port_, 1001);
  int command = SendCommand(CMD_KCHECKPOINT);
  Message suspend = a.Answer(PHASE_SUSPEND);
  EXPECT_EQ(suspend.header.arg[2], PHASE_F_KILL_AFTER);
  Message checkpoint = a.Answer(PHASE_CHECKPOINT, "image=/ckpt/a.dmtcp\n");
  EXPECT_EQ(checkpoint.header.arg[2], PHASE_F_KILL_AFTER);
  a.Expect(MSG_KILL);
  a.Leave();  // the process is gone: now the command hears back
  Message reply = Reply(command);
  EXPECT_EQ(reply.header.status, DMT_COORD_SUCCESS);
  EXPECT_THAT(reply.payload, HasSubstr("image=/ckpt/a.dmtcp"));
}

TEST_F(CoordinatorTest, FailedImageFailsTheCommandButResumes) {
  Start();
  FakeWorker a(port_, 1001);
  int command = SendCommand(CMD_BCHECKPOINT);
  a.Answer(PHASE_SUSPEND);
  a.Expect(MSG_PHASE, PHASE_CHECKPOINT);
  a.Done(1, PHASE_CHECKPOINT, 28, "error=No space left on device\n");
  Message reply = Reply(command);
  EXPECT_EQ(reply.header.status, DMT_COORD_ERROR_CHECKPOINT_FAILED);
  EXPECT_THAT(reply.payload, HasSubstr("No space left on device"));
  a.Expect(MSG_PHASE, PHASE_RESUME);
  EXPECT_NE(access((ckptdir_ + "/dmtcp_restart_script.sh").c_str(), F_OK), 0);
}

TEST_F(CoordinatorTest, WorkerDisconnectingMidBarrierIsDropped) {
  Start();
  FakeWorker a(port_, 1001);
  auto b = std::make_unique<FakeWorker>(port_, 1002);
  int command = SendCommand(CMD_BCHECKPOINT);
  a.Answer(PHASE_SUSPEND);
  b->Expect(MSG_PHASE, PHASE_SUSPEND);
  b.reset();  // dies before suspending
  a.Answer(PHASE_CHECKPOINT, "image=/ckpt/a.dmtcp\n");
  Message reply = Reply(command);
  EXPECT_EQ(reply.header.status, DMT_COORD_SUCCESS);
  EXPECT_EQ(reply.payload, "ckpt=1\nimage=/ckpt/a.dmtcp\n");
  EXPECT_EQ(reply.header.arg[0], 1);
}

TEST_F(CoordinatorTest, RestartBarrierWaitsForEveryAnnouncedProcess) {
  Start();
  absl::StatusOr<int> restart = ConnectTcp("localhost", port_, kWait);
  ASSERT_TRUE(restart.ok());
  ASSERT_TRUE(SendMessage(*restart, MSG_HELLO_RESTART, 0, 2, 0, 0, "").ok());

  FakeWorker a(port_, 2001, WORKER_F_RESTARTED, "image=/ckpt/a.dmtcp\nckpt=7\n");
  EXPECT_TRUE(a.Quiet());  // held at the barrier
  EXPECT_EQ(Command(CMD_CHECKPOINT).header.status, DMT_COORD_ERROR_NOT_RUNNING_STATE);
  FakeWorker b(port_, 2002, WORKER_F_RESTARTED, "image=/ckpt/b.dmtcp\nckpt=7\n");

  Message resume = a.Expect(MSG_PHASE, PHASE_RESTART_RESUME);
  EXPECT_EQ(resume.header.arg[0], 7);
  b.Expect(MSG_PHASE, PHASE_RESTART_RESUME);
  a.Done(7, PHASE_RESTART_RESUME);
  b.Done(7, PHASE_RESTART_RESUME);
  close(*restart);

  // Both count as running once they confirmed; numbering goes on from 7.
  Message list = Command(CMD_LIST);
  EXPECT_THAT(list.payload, HasSubstr(" 2001 testhost fake2001 RUNNING /ckpt/a.dmtcp\n"));
  EXPECT_THAT(list.payload, HasSubstr(" 2002 testhost fake2002 RUNNING /ckpt/b.dmtcp\n"));
  EXPECT_EQ(Command(CMD_CHECKPOINT).payload, "ckpt=8\n");
}

TEST_F(CoordinatorTest, RestartClientHangingUpReleasesTheBarrier) {
  Start();
  absl::StatusOr<int> restart = ConnectTcp("localhost", port_, kWait);
  ASSERT_TRUE(restart.ok());
  ASSERT_TRUE(SendMessage(*restart, MSG_HELLO_RESTART, 0, 3, 0, 0, "").ok());
  FakeWorker a(port_, 2001, WORKER_F_RESTARTED, "ckpt=2\n");
  EXPECT_TRUE(a.Quiet());
  close(*restart);
  a.Expect(MSG_PHASE, PHASE_RESTART_RESUME);
}

TEST_F(CoordinatorTest, StatusListIntervalAndKill) {
  Start();
  Message status = Command(CMD_STATUS);
  EXPECT_EQ(status.header.status, DMT_COORD_SUCCESS);
  EXPECT_EQ(status.header.arg[0], 0);
  EXPECT_EQ(status.header.arg[1], 0);

  FakeWorker a(port_, 1001);
  EXPECT_EQ(Command(CMD_INTERVAL, 42).header.status, DMT_COORD_SUCCESS);
  status = Command(CMD_STATUS);
  EXPECT_EQ(status.header.arg[0], 1);
  EXPECT_EQ(status.header.arg[1], 1);
  EXPECT_EQ(status.header.arg[2], 42);
  EXPECT_EQ(Command(CMD_LIST).payload,
            absl::StrCat(a.id(), " 1001 testhost fake1001 RUNNING -\n"));
  EXPECT_EQ(Command('?').header.status, DMT_COORD_ERROR_INVALID_COMMAND);

  int kill = SendCommand(CMD_KILL);
  a.Expect(MSG_KILL);
  a.Leave();  // the process is gone: now the command hears back
  EXPECT_EQ(Reply(kill).header.status, DMT_COORD_SUCCESS);
  EXPECT_FALSE(Stopped(absl::Milliseconds(100)));  // kill does not stop the coordinator
}

TEST_F(CoordinatorTest, IntervalCheckpointStartsByItself) {
  ServerOptions options;
  options.interval_seconds = 1;
  Start(options);
  FakeWorker a(port_, 1001);
  absl::Time start = absl::Now();
  a.Expect(MSG_PHASE, PHASE_SUSPEND);
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(300));
}

TEST_F(CoordinatorTest, QuitKillsWorkersAndStops) {
  Start();
  FakeWorker a(port_, 1001);
  EXPECT_EQ(Command(CMD_QUIT).header.status, DMT_COORD_SUCCESS);
  a.Expect(MSG_KILL);
  EXPECT_TRUE(Stopped(kWait));
  EXPECT_TRUE(finished_.get().ok());
  server_.reset();
}

TEST_F(CoordinatorTest, ExitOnLastStopsWhenTheLastWorkerLeaves) {
  ServerOptions options;
  options.exit_on_last = true;
  Start(options);
  FakeWorker a(port_, 1001);
  Command(CMD_STATUS);  // command clients do not count
  EXPECT_FALSE(Stopped(absl::Milliseconds(100)));
  a.Leave();
  EXPECT_TRUE(Stopped(kWait));
  server_.reset();
}

TEST_F(CoordinatorTest, IdleTimeoutStopsAnUnusedCoordinator) {
  ServerOptions options;
  options.idle_timeout = absl::Milliseconds(500);
  Start(options);
  FakeWorker a(port_, 1001);
  EXPECT_FALSE(Stopped(absl::Seconds(1)));  // a client is connected
  a.Leave();
  EXPECT_TRUE(Stopped(kWait));
  server_.reset();
}

TEST_F(CoordinatorTest, StrangersAreDroppedWithoutHarm) {
  Start();
  absl::StatusOr<int> stranger = ConnectTcp("localhost", port_, kWait);
  ASSERT_TRUE(stranger.ok());
  std::string junk(100, 'x');
  ASSERT_EQ(write(*stranger, junk.data(), junk.size()), static_cast<ssize_t>(junk.size()));
  EXPECT_FALSE(ReceiveMessage(*stranger, kWait).ok());  // hung up on
  close(*stranger);
  EXPECT_EQ(Command(CMD_STATUS).header.status, DMT_COORD_SUCCESS);
}

TEST_F(CoordinatorTest, LogsWhatHappens) {
  ServerOptions options;
  options.quiet = false;
  testing::internal::CaptureStdout();
  Start(options);
  {
    FakeWorker a(port_, 1001);
    int command = SendCommand(CMD_BCHECKPOINT);
    a.Answer(PHASE_SUSPEND);
    a.Answer(PHASE_CHECKPOINT, "image=/ckpt/a.dmtcp\nbytes=3200000\n");
    Reply(command);
  }
  Command(CMD_QUIT);
  EXPECT_TRUE(Stopped(kWait));
  std::string log = testing::internal::GetCapturedStdout();
  EXPECT_THAT(log, HasSubstr(absl::StrCat("[coordinator] listening on port ", port_)));
  EXPECT_THAT(log, HasSubstr("[coordinator] checkpoint 1 done: 1 image(s), 3.2 MB\n"));
  EXPECT_THAT(log, HasSubstr("[coordinator] restart script: " + ckptdir_));
}

TEST(ServerListenTest, PortInUseIsAClearError) {
  ServerOptions options;
  options.port = 0;
  options.read_stdin = false;
  absl::StatusOr<std::unique_ptr<Server>> first = Server::Listen(options);
  ASSERT_TRUE(first.ok());
  options.port = (*first)->port();
  absl::StatusOr<std::unique_ptr<Server>> second = Server::Listen(options);
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(std::string(second.status().message()), HasSubstr("already in use"));
}

TEST(ServerListenTest, CheckpointDirIsCreatedOrAClearError) {
  const char* base = getenv("TEST_TMPDIR");
  ServerOptions options;
  options.port = 0;
  options.ckptdir = absl::StrCat(base != nullptr ? base : "/tmp", "/new/ckpt/dir");
  EXPECT_TRUE(Server::Listen(options).ok());
  EXPECT_EQ(access(options.ckptdir.c_str(), W_OK), 0);

  options.ckptdir = "/proc/self/no/such/dir";  // cannot be created
  absl::StatusOr<std::unique_ptr<Server>> server = Server::Listen(options);
  ASSERT_FALSE(server.ok());
  EXPECT_THAT(std::string(server.status().message()), HasSubstr("/proc/self/no/such/dir"));
}

}  // namespace
}  // namespace dmtcp::coordinator
