#include "core/coordinator/barrier.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "core/protocol/protocol.h"
#include "core/protocol/wire.h"

namespace dmtcp::coordinator {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const absl::Time kStart = absl::FromUnixSeconds(1000000);

// The messages among `actions` of one type, in order.
std::vector<Action> Sent(const std::vector<Action>& actions, int type) {
  std::vector<Action> found;
  for (const Action& action : actions) {
    if (action.kind == Action::Kind::kSend && action.type == type) found.push_back(action);
  }
  return found;
}

// Which clients got a message of `type`, and (for MSG_PHASE) which phase.
std::vector<ClientId> Recipients(const std::vector<Action>& actions, int type, int phase = 0) {
  std::vector<ClientId> ids;
  for (const Action& action : Sent(actions, type)) {
    if (phase == 0 || action.args[1] == phase) ids.push_back(action.to);
  }
  return ids;
}

bool Has(const std::vector<Action>& actions, Action::Kind kind) {
  for (const Action& action : actions) {
    if (action.kind == kind) return true;
  }
  return false;
}

// The reply to `client` among `actions`; fails the test if there is not exactly one.
Action ReplyTo(const std::vector<Action>& actions, ClientId client) {
  std::vector<Action> replies;
  for (const Action& action : Sent(actions, MSG_COMMAND_REPLY)) {
    if (action.to == client) replies.push_back(action);
  }
  EXPECT_EQ(replies.size(), 1u) << "replies to client " << client;
  return replies.empty() ? Action() : replies[0];
}

WorkerHello Hello(int64_t pid, std::string prog = "a.out") {
  WorkerHello hello;
  hello.pid = pid;
  hello.host = "node1";
  hello.prog = prog;
  hello.uniq = "uniq" + std::to_string(pid);
  hello.ckptdir = "/ckpt";
  return hello;
}

WorkerHello RestartedHello(int64_t pid, int64_t last_checkpoint) {
  WorkerHello hello = Hello(pid);
  hello.restarted = true;
  hello.last_checkpoint = last_checkpoint;
  hello.image = "/ckpt/ckpt_" + std::to_string(pid) + ".dmtcp";
  return hello;
}

class BarrierTest : public ::testing::Test {
 protected:
  BarrierTest() : state_(Config(), kStart) {}

  static CoordinatorConfig Config() {
    CoordinatorConfig config;
    config.compid = "comp-1";
    return config;
  }

  // Answers the current phase for each worker in `ids` and returns the last
  // answer's actions (the ones that complete the barrier).
  std::vector<Action> AllDone(std::vector<ClientId> ids, int64_t ckpt, int phase) {
    std::vector<Action> last;
    for (ClientId id : ids) {
      std::string payload;
      if (phase == PHASE_CHECKPOINT) {
        payload = "image=/ckpt/w" + std::to_string(id) + ".dmtcp\nbytes=1500000\n";
      }
      last = state_.PhaseDone(id, ckpt, phase, 0, payload);
    }
    return last;
  }

  CoordinatorState state_;
};

// Connections whose two ends were reported by processes of the computation are
// fine; one whose peer nobody reported is named in the reply and the log.
TEST_F(BarrierTest, ConnectionToAPeerOutsideTheComputationIsReported) {
  state_.WorkerJoined(1, Hello(100));
  state_.WorkerJoined(2, Hello(200));
  state_.Command(9, CMD_BCHECKPOINT, 0);
  AllDone({1, 2}, 1, PHASE_SUSPEND);
  state_.PhaseDone(1, 1, PHASE_CHECKPOINT, 0,
                   "image=/ckpt/a.dmtcp\nconn=4 127.0.0.1:5000 127.0.0.1:6000\n"
                   "conn=7 10.0.0.2:41000 10.0.0.1:80\nconn=8 unix:11 unix:12\n");
  std::vector<Action> actions = state_.PhaseDone(
      2, 1, PHASE_CHECKPOINT, 0,
      "image=/ckpt/b.dmtcp\nconn=3 127.0.0.1:6000 127.0.0.1:5000\nconn=5 unix:12 unix:11\n");
  Action reply = ReplyTo(actions, 9);
  EXPECT_EQ(reply.status, DMT_COORD_SUCCESS);
  std::vector<std::string> warnings;
  for (const auto& [key, value] : KeyValueLines(reply.text)) {
    if (key == "warning") warnings.push_back(value);
  }
  ASSERT_EQ(warnings.size(), 1u) << reply.text;
  EXPECT_THAT(warnings[0], HasSubstr("pid 100"));
  EXPECT_THAT(warnings[0], HasSubstr("fd 7"));
  EXPECT_THAT(warnings[0], HasSubstr("10.0.0.1:80"));
  EXPECT_THAT(warnings[0], HasSubstr("outside the computation"));
}

TEST_F(BarrierTest, JoiningWorkerIsWelcomedWithItsIdAndTheCompid) {
  std::vector<Action> actions = state_.WorkerJoined(5, Hello(100));
  std::vector<Action> welcome = Sent(actions, MSG_WELCOME);
  ASSERT_EQ(welcome.size(), 1u);
  EXPECT_EQ(welcome[0].to, 5);
  EXPECT_EQ(welcome[0].args[0], 5);  // client id
  EXPECT_EQ(welcome[0].args[1], 0);  // checkpoints so far
  EXPECT_EQ(welcome[0].args[2], 0);  // interval
  EXPECT_EQ(ParseKeyValues(welcome[0].text).at("compid"), "comp-1");
  EXPECT_TRUE(state_.running());
}

TEST_F(BarrierTest, CheckpointWithoutWorkersReportsNoPeers) {
  Action reply = ReplyTo(state_.Command(9, CMD_CHECKPOINT, 0), 9);
  EXPECT_EQ(reply.status, DMT_COORD_ERROR_NO_PEERS);
  EXPECT_THAT(reply.text, HasSubstr("error="));
  EXPECT_EQ(ReplyTo(state_.Command(9, CMD_BCHECKPOINT, 0), 9).status, DMT_COORD_ERROR_NO_PEERS);
  EXPECT_FALSE(state_.checkpoint_in_progress());
}

TEST_F(BarrierTest, CheckpointRunsSuspendCheckpointResumeInOrder) {
  state_.WorkerJoined(1, Hello(100));
  state_.WorkerJoined(2, Hello(200));

  std::vector<Action> actions = state_.Command(9, CMD_CHECKPOINT, 0);
  Action reply = ReplyTo(actions, 9);
  EXPECT_EQ(reply.status, DMT_COORD_SUCCESS);
  EXPECT_EQ(ParseKeyValues(reply.text).at("ckpt"), "1");
  EXPECT_THAT(Recipients(actions, MSG_PHASE, PHASE_SUSPEND), ElementsAre(1, 2));
  for (const Action& phase : Sent(actions, MSG_PHASE)) {
    EXPECT_EQ(phase.args[0], 1);  // checkpoint number
    EXPECT_EQ(phase.args[2], 0);  // no flags
  }
  EXPECT_FALSE(state_.running());
  EXPECT_EQ(state_.workers().at(1).state, WorkerState::kSuspending);

  // The barrier waits for every participant.
  EXPECT_THAT(Sent(state_.PhaseDone(1, 1, PHASE_SUSPEND, 0, ""), MSG_PHASE), IsEmpty());
  actions = state_.PhaseDone(2, 1, PHASE_SUSPEND, 0, "");
  EXPECT_THAT(Recipients(actions, MSG_PHASE, PHASE_CHECKPOINT), ElementsAre(1, 2));

  EXPECT_THAT(Sent(state_.PhaseDone(2, 1, PHASE_CHECKPOINT, 0,
                                    "image=/ckpt/b.dmtcp\nbytes=2000000\n"),
                   MSG_PHASE),
              IsEmpty());
  actions = state_.PhaseDone(1, 1, PHASE_CHECKPOINT, 0, "image=/ckpt/a.dmtcp\nbytes=1200000\n");
  EXPECT_THAT(Recipients(actions, MSG_PHASE, PHASE_RESUME), ElementsAre(1, 2));
  ASSERT_TRUE(Has(actions, Action::Kind::kWriteRestartScript));
  for (const Action& action : actions) {
    if (action.kind == Action::Kind::kWriteRestartScript) {
      EXPECT_EQ(action.checkpoint, 1);
      ASSERT_EQ(action.images.size(), 2u);
      EXPECT_EQ(action.images[0].path, "/ckpt/a.dmtcp");
      EXPECT_EQ(action.images[0].host, "node1");
      EXPECT_EQ(action.images[1].path, "/ckpt/b.dmtcp");
    }
    if (action.kind == Action::Kind::kLog && action.text.find("done") != std::string::npos) {
      EXPECT_EQ(action.text, "checkpoint 1 done: 2 image(s), 3.2 MB");
    }
  }
  // The script is written before anyone is resumed.
  size_t script_at = actions.size(), first_send_at = actions.size();
  for (size_t i = 0; i < actions.size(); ++i) {
    if (actions[i].kind == Action::Kind::kWriteRestartScript) script_at = i;
    if (actions[i].kind == Action::Kind::kSend && first_send_at == actions.size()) {
      first_send_at = i;
    }
  }
  EXPECT_LT(script_at, first_send_at);

  AllDone({1, 2}, 1, PHASE_RESUME);
  EXPECT_TRUE(state_.running());
  EXPECT_FALSE(state_.checkpoint_in_progress());
  EXPECT_EQ(state_.checkpoint_count(), 1);
  EXPECT_EQ(state_.workers().at(1).image, "/ckpt/a.dmtcp");

  // The next checkpoint gets the next number.
  actions = state_.Command(9, CMD_CHECKPOINT, 0);
  EXPECT_EQ(Sent(actions, MSG_PHASE)[0].args[0], 2);
}

TEST_F(BarrierTest, SecondCheckpointWhileOneRunsIsRefused) {
  state_.WorkerJoined(1, Hello(100));
  state_.Command(9, CMD_CHECKPOINT, 0);
  for (int code : {CMD_CHECKPOINT, CMD_BCHECKPOINT, CMD_KCHECKPOINT}) {
    std::vector<Action> actions = state_.Command(10, code, 0);
    EXPECT_EQ(ReplyTo(actions, 10).status, DMT_COORD_ERROR_NOT_RUNNING_STATE);
    EXPECT_THAT(Sent(actions, MSG_PHASE), IsEmpty());
  }
}

TEST_F(BarrierTest, BlockingCheckpointRepliesWhenImagesAreWritten) {
  state_.WorkerJoined(1, Hello(100));
  std::vector<Action> actions = state_.Command(9, CMD_BCHECKPOINT, 0);
  EXPECT_THAT(Sent(actions, MSG_COMMAND_REPLY), IsEmpty());
  EXPECT_THAT(Sent(AllDone({1}, 1, PHASE_SUSPEND), MSG_COMMAND_REPLY), IsEmpty());

  actions = AllDone({1}, 1, PHASE_CHECKPOINT);
  Action reply = ReplyTo(actions, 9);
  EXPECT_EQ(reply.status, DMT_COORD_SUCCESS);
  EXPECT_EQ(reply.text, "ckpt=1\nimage=/ckpt/w1.dmtcp\n");
  EXPECT_EQ(reply.args[0], 1);  // peers
  EXPECT_THAT(Recipients(actions, MSG_PHASE, PHASE_RESUME), ElementsAre(1));
}

TEST_F(BarrierTest, FailedWorkerFailsTheCheckpointButTheComputationResumes) {
  state_.WorkerJoined(1, Hello(100));
  state_.WorkerJoined(2, Hello(200));
  state_.Command(9, CMD_BCHECKPOINT, 0);
  AllDone({1, 2}, 1, PHASE_SUSPEND);
  state_.PhaseDone(1, 1, PHASE_CHECKPOINT, 0, "image=/ckpt/a.dmtcp\n");
  std::vector<Action> actions =
      state_.PhaseDone(2, 1, PHASE_CHECKPOINT, 28, "error=No space left on device\n");

  Action reply = ReplyTo(actions, 9);
  EXPECT_EQ(reply.status, DMT_COORD_ERROR_CHECKPOINT_FAILED);
  EXPECT_THAT(reply.text, HasSubstr("image=/ckpt/a.dmtcp"));
  EXPECT_THAT(reply.text, HasSubstr("error=worker 2 (a.out, pid 200 on node1): No space left"));
  EXPECT_FALSE(Has(actions, Action::Kind::kWriteRestartScript));
  EXPECT_THAT(Recipients(actions, MSG_PHASE, PHASE_RESUME), ElementsAre(1, 2));
}

TEST_F(BarrierTest, KillCheckpointFlagsThePhasesAndKillsAfterTheImages) {
  state_.WorkerJoined(1, Hello(100));
  state_.WorkerJoined(2, Hello(200));
  std::vector<Action> actions = state_.Command(9, CMD_KCHECKPOINT, 0);
  for (const Action& phase : Sent(actions, MSG_PHASE)) EXPECT_EQ(phase.args[2], PHASE_F_KILL_AFTER);
  actions = AllDone({1, 2}, 1, PHASE_SUSPEND);
  for (const Action& phase : Sent(actions, MSG_PHASE)) EXPECT_EQ(phase.args[2], PHASE_F_KILL_AFTER);

  actions = AllDone({1, 2}, 1, PHASE_CHECKPOINT);
  EXPECT_TRUE(Has(actions, Action::Kind::kWriteRestartScript));
  EXPECT_THAT(Recipients(actions, MSG_KILL), ElementsAre(1, 2));
  EXPECT_THAT(Recipients(actions, MSG_PHASE, PHASE_RESUME), IsEmpty());
  EXPECT_FALSE(state_.checkpoint_in_progress());
  EXPECT_EQ(state_.workers().at(1).state, WorkerState::kKilled);
  // The command hears back once the processes are gone, with the images.
  EXPECT_THAT(Sent(actions, MSG_COMMAND_REPLY), IsEmpty());
  EXPECT_THAT(Sent(state_.ClientLeft(1), MSG_COMMAND_REPLY), IsEmpty());
  Action reply = ReplyTo(state_.ClientLeft(2), 9);
  EXPECT_EQ(reply.status, DMT_COORD_SUCCESS);
  EXPECT_THAT(reply.text, HasSubstr("image=/ckpt/w2.dmtcp"));
}

// A process joining while the others are being suspended was just started by one of
// them (which waits for it before answering): it is part of this checkpoint.
TEST_F(BarrierTest, WorkerJoiningDuringSuspendTakesPart) {
  state_.WorkerJoined(1, Hello(100));
  state_.Command(9, CMD_CHECKPOINT, 0);
  std::vector<Action> actions = state_.WorkerJoined(2, Hello(200));
  EXPECT_EQ(Sent(actions, MSG_WELCOME)[0].args[1], 1);  // checkpoint 1 has started
  EXPECT_THAT(Recipients(actions, MSG_PHASE, PHASE_SUSPEND), ElementsAre(2));

  actions = AllDone({1}, 1, PHASE_SUSPEND);
  EXPECT_THAT(Sent(actions, MSG_PHASE), IsEmpty());  // still waiting for 2
  actions = AllDone({2}, 1, PHASE_SUSPEND);
  EXPECT_THAT(Recipients(actions, MSG_PHASE, PHASE_CHECKPOINT), ElementsAre(1, 2));
}

// Once everyone is suspended nobody of the computation can start a process: a worker
// joining then is someone else's, and waits for the next checkpoint.
TEST_F(BarrierTest, WorkerJoiningAfterSuspendWaitsForTheNextOne) {
  state_.WorkerJoined(1, Hello(100));
  state_.Command(9, CMD_CHECKPOINT, 0);
  std::vector<Action> actions = AllDone({1}, 1, PHASE_SUSPEND);
  EXPECT_THAT(Recipients(actions, MSG_PHASE, PHASE_CHECKPOINT), ElementsAre(1));
  actions = state_.WorkerJoined(2, Hello(200));
  EXPECT_THAT(Sent(actions, MSG_PHASE), IsEmpty());

  actions = AllDone({1}, 1, PHASE_CHECKPOINT);
  EXPECT_THAT(Recipients(actions, MSG_PHASE, PHASE_RESUME), ElementsAre(1));
  AllDone({1}, 1, PHASE_RESUME);

  actions = state_.Command(9, CMD_CHECKPOINT, 0);
  EXPECT_THAT(Recipients(actions, MSG_PHASE, PHASE_SUSPEND), ElementsAre(1, 2));
}

TEST_F(BarrierTest, WorkerLeavingMidBarrierIsDroppedAndTheBarrierCompletes) {
  state_.WorkerJoined(1, Hello(100));
  state_.WorkerJoined(2, Hello(200));
  state_.Command(9, CMD_BCHECKPOINT, 0);
  state_.PhaseDone(1, 1, PHASE_SUSPEND, 0, "");
  std::vector<Action> actions = state_.ClientLeft(2);
  EXPECT_THAT(Recipients(actions, MSG_PHASE, PHASE_CHECKPOINT), ElementsAre(1));

  actions = AllDone({1}, 1, PHASE_CHECKPOINT);
  Action reply = ReplyTo(actions, 9);
  EXPECT_EQ(reply.status, DMT_COORD_SUCCESS);
  EXPECT_EQ(reply.args[0], 1);
}

TEST_F(BarrierTest, EveryWorkerLeavingFailsTheBlockingCheckpoint) {
  state_.WorkerJoined(1, Hello(100));
  state_.Command(9, CMD_BCHECKPOINT, 0);
  std::vector<Action> actions = state_.ClientLeft(1);
  EXPECT_EQ(ReplyTo(actions, 9).status, DMT_COORD_ERROR_CHECKPOINT_FAILED);
  EXPECT_FALSE(state_.checkpoint_in_progress());
  EXPECT_FALSE(Has(actions, Action::Kind::kWriteRestartScript));
}

TEST_F(BarrierTest, CommandClientLeavingIsNotRepliedTo) {
  state_.WorkerJoined(1, Hello(100));
  state_.Command(9, CMD_BCHECKPOINT, 0);
  state_.ClientLeft(9);
  AllDone({1}, 1, PHASE_SUSPEND);
  EXPECT_THAT(Sent(AllDone({1}, 1, PHASE_CHECKPOINT), MSG_COMMAND_REPLY), IsEmpty());
}

TEST_F(BarrierTest, StaleOrUnexpectedPhaseDoneIsIgnored) {
  state_.WorkerJoined(1, Hello(100));
  state_.WorkerJoined(2, Hello(200));
  state_.Command(9, CMD_CHECKPOINT, 0);
  state_.PhaseDone(1, 1, PHASE_SUSPEND, 0, "");
  // Wrong number, wrong phase, and a repeat must not complete the barrier.
  EXPECT_THAT(Sent(state_.PhaseDone(2, 7, PHASE_SUSPEND, 0, ""), MSG_PHASE), IsEmpty());
  EXPECT_THAT(Sent(state_.PhaseDone(2, 1, PHASE_CHECKPOINT, 0, ""), MSG_PHASE), IsEmpty());
  EXPECT_THAT(Sent(state_.PhaseDone(1, 1, PHASE_SUSPEND, 0, ""), MSG_PHASE), IsEmpty());
  EXPECT_THAT(Recipients(state_.PhaseDone(2, 1, PHASE_SUSPEND, 0, ""), MSG_PHASE,
                         PHASE_CHECKPOINT),
              ElementsAre(1, 2));
}

TEST_F(BarrierTest, StatusReportsPeersRunningAndInterval) {
  Action reply = ReplyTo(state_.Command(9, CMD_STATUS, 0), 9);
  EXPECT_EQ(reply.status, DMT_COORD_SUCCESS);
  EXPECT_EQ(reply.args[0], 0);
  EXPECT_EQ(reply.args[1], 0);  // nobody to run
  state_.WorkerJoined(1, Hello(100));
  state_.Command(9, CMD_INTERVAL, 30);
  reply = ReplyTo(state_.Command(9, CMD_STATUS, 0), 9);
  EXPECT_EQ(reply.args[0], 1);
  EXPECT_EQ(reply.args[1], 1);
  EXPECT_EQ(reply.args[2], 30);
}

TEST_F(BarrierTest, ListShowsOneLinePerWorker) {
  state_.WorkerJoined(1, Hello(100, "my prog"));
  state_.WorkerJoined(2, RestartedHello(200, 3));
  Action reply = ReplyTo(state_.Command(9, CMD_LIST, 0), 9);
  // Worker 2 was released at once: no dmtcp_restart announced a count.
  EXPECT_EQ(reply.text,
            "1 100 node1 my_prog RUNNING -\n"
            "2 200 node1 a.out RESTART_RESUMING /ckpt/ckpt_200.dmtcp\n");
}

TEST_F(BarrierTest, IntervalSchedulesCheckpointsFromNow) {
  state_.WorkerJoined(1, Hello(100));
  state_.Tick(kStart + absl::Seconds(100));
  EXPECT_EQ(ReplyTo(state_.Command(9, CMD_INTERVAL, 10), 9).status, DMT_COORD_SUCCESS);
  EXPECT_EQ(state_.NextTimer(), kStart + absl::Seconds(110));
  EXPECT_THAT(Sent(state_.Tick(kStart + absl::Seconds(109)), MSG_PHASE), IsEmpty());
  std::vector<Action> actions = state_.Tick(kStart + absl::Seconds(110));
  EXPECT_THAT(Recipients(actions, MSG_PHASE, PHASE_SUSPEND), ElementsAre(1));
  EXPECT_EQ(state_.NextTimer(), absl::InfiniteFuture());  // while it runs

  AllDone({1}, 1, PHASE_SUSPEND);
  AllDone({1}, 1, PHASE_CHECKPOINT);
  state_.Tick(kStart + absl::Seconds(115));
  AllDone({1}, 1, PHASE_RESUME);
  EXPECT_EQ(state_.NextTimer(), kStart + absl::Seconds(125));

  EXPECT_EQ(ReplyTo(state_.Command(9, CMD_INTERVAL, 0), 9).status, DMT_COORD_SUCCESS);
  EXPECT_EQ(state_.NextTimer(), absl::InfiniteFuture());
  EXPECT_EQ(ReplyTo(state_.Command(9, CMD_INTERVAL, -1), 9).status,
            DMT_COORD_ERROR_INVALID_COMMAND);
}

TEST_F(BarrierTest, WorkerHelloCanSetTheInterval) {
  WorkerHello hello = Hello(100);
  hello.interval_request = 60;
  std::vector<Action> actions = state_.WorkerJoined(1, hello);
  EXPECT_EQ(state_.interval_seconds(), 60);
  EXPECT_EQ(Sent(actions, MSG_WELCOME)[0].args[2], 60);
}

// `dmtcp_command -k; dmtcp_restart_script.sh` must not meet the old processes (MPI
// ranks in sessions of their own die later than their launcher): the kill command is
// answered when every killed process has disconnected.
TEST_F(BarrierTest, KillIsAnsweredWhenTheProcessesAreGone) {
  state_.WorkerJoined(1, Hello(100));
  state_.WorkerJoined(2, Hello(200));
  std::vector<Action> actions = state_.Command(9, CMD_KILL, 0);
  EXPECT_THAT(Recipients(actions, MSG_KILL), ElementsAre(1, 2));
  EXPECT_THAT(Sent(actions, MSG_COMMAND_REPLY), IsEmpty());
  EXPECT_FALSE(state_.running());
  EXPECT_THAT(Sent(state_.ClientLeft(2), MSG_COMMAND_REPLY), IsEmpty());
  Action reply = ReplyTo(state_.ClientLeft(1), 9);
  EXPECT_EQ(reply.status, DMT_COORD_SUCCESS);
  EXPECT_EQ(reply.text, "");
  EXPECT_EQ(ReplyTo(state_.Command(8, CMD_KILL, 0), 8).status, DMT_COORD_SUCCESS);  // none left
}

// A child forked just before the kill joins after it, on its own connection: it is
// killed as it joins, and the kill is answered once it is gone too. Its own children
// go the same way; after a restart, the restored parent's new children are welcome.
TEST_F(BarrierTest, ChildForkedBeforeAKillIsKilledWhenItJoins) {
  WorkerHello parent = Hello(100);
  parent.uniq = "0a0b-100-5f";
  state_.WorkerJoined(1, parent);
  EXPECT_THAT(Recipients(state_.Command(9, CMD_KILL, 0), MSG_KILL), ElementsAre(1));

  WorkerHello child = Hello(101);
  child.uniq = "0a0b-100-5f-101";
  EXPECT_THAT(Recipients(state_.WorkerJoined(2, child), MSG_KILL), ElementsAre(2));
  WorkerHello grandchild = Hello(102);
  grandchild.uniq = "0a0b-100-5f-101-102";
  EXPECT_THAT(Recipients(state_.WorkerJoined(3, grandchild), MSG_KILL), ElementsAre(3));
  WorkerHello stranger = Hello(200);
  stranger.uniq = "0a0b-200-5f";
  EXPECT_THAT(Recipients(state_.WorkerJoined(4, stranger), MSG_KILL), IsEmpty());

  EXPECT_THAT(Sent(state_.ClientLeft(1), MSG_COMMAND_REPLY), IsEmpty());  // children live
  EXPECT_THAT(Sent(state_.ClientLeft(3), MSG_COMMAND_REPLY), IsEmpty());
  EXPECT_EQ(ReplyTo(state_.ClientLeft(2), 9).status, DMT_COORD_SUCCESS);

  WorkerHello restored = RestartedHello(100, 1);
  restored.uniq = parent.uniq;
  state_.WorkerJoined(5, restored);
  EXPECT_THAT(Recipients(state_.WorkerJoined(6, child), MSG_KILL), IsEmpty());
}

TEST_F(BarrierTest, KillAnswersWithAWarningWhenAProcessDoesNotDie) {
  state_.WorkerJoined(1, Hello(100));
  state_.Command(9, CMD_KILL, 0);
  EXPECT_EQ(state_.NextTimer(), kStart + absl::Seconds(10));
  EXPECT_THAT(Sent(state_.Tick(kStart + absl::Seconds(9)), MSG_COMMAND_REPLY), IsEmpty());
  Action reply = ReplyTo(state_.Tick(kStart + absl::Seconds(10)), 9);
  EXPECT_EQ(reply.status, DMT_COORD_SUCCESS);
  EXPECT_THAT(reply.text, HasSubstr("warning=1 process(es) told to die are still connected"));
}

TEST_F(BarrierTest, KillAndQuit) {
  state_.WorkerJoined(1, Hello(100));
  state_.WorkerJoined(2, Hello(200));
  std::vector<Action> actions = state_.Command(9, CMD_KILL, 0);
  EXPECT_THAT(Recipients(actions, MSG_KILL), ElementsAre(1, 2));
  EXPECT_FALSE(Has(actions, Action::Kind::kExit));

  actions = state_.Command(8, CMD_QUIT, 0);
  EXPECT_THAT(Recipients(actions, MSG_KILL), ElementsAre(1, 2));
  EXPECT_EQ(ReplyTo(actions, 8).status, DMT_COORD_SUCCESS);
  EXPECT_EQ(ReplyTo(actions, 9).status, DMT_COORD_SUCCESS);  // the kill, answered on the way out
  EXPECT_EQ(actions.back().kind, Action::Kind::kExit);
  EXPECT_THAT(state_.Command(9, CMD_STATUS, 0), IsEmpty());  // gone
}

TEST_F(BarrierTest, QuitFailsAPendingBlockingCheckpoint) {
  state_.WorkerJoined(1, Hello(100));
  state_.Command(8, CMD_BCHECKPOINT, 0);
  std::vector<Action> actions = state_.Command(9, CMD_QUIT, 0);
  EXPECT_EQ(ReplyTo(actions, 8).status, DMT_COORD_ERROR_CHECKPOINT_FAILED);
}

TEST_F(BarrierTest, UnknownCommandIsInvalid) {
  EXPECT_EQ(ReplyTo(state_.Command(9, 'Z', 0), 9).status, DMT_COORD_ERROR_INVALID_COMMAND);
}

// A plugin's global barrier holds every worker until all have reached it; one that
// leaves meanwhile is not waited for.
TEST_F(BarrierTest, NamedBarrierReleasesWhenEveryWorkerIsThereOrGone) {
  state_.WorkerJoined(1, Hello(100));
  state_.WorkerJoined(2, Hello(200));
  state_.WorkerJoined(3, Hello(300));
  EXPECT_THAT(Sent(state_.NamedBarrier(1, "b1"), MSG_BARRIER_RELEASE), IsEmpty());
  EXPECT_THAT(Sent(state_.NamedBarrier(2, "other"), MSG_BARRIER_RELEASE), IsEmpty());
  EXPECT_THAT(Sent(state_.NamedBarrier(2, "b1"), MSG_BARRIER_RELEASE), IsEmpty());
  std::vector<Action> actions = state_.ClientLeft(3);
  EXPECT_THAT(Recipients(actions, MSG_BARRIER_RELEASE), ElementsAre(1, 2));
  EXPECT_EQ(Sent(actions, MSG_BARRIER_RELEASE)[0].text, "name=b1\n");
  // "other" still waits for worker 1.
  EXPECT_THAT(Recipients(state_.NamedBarrier(1, "other"), MSG_BARRIER_RELEASE), ElementsAre(1, 2));
}

// Restarting images of processes that still run would make two of each: refused, in
// one line, until they have been killed.
TEST_F(BarrierTest, RestartOfProcessesStillRunningIsRefused) {
  state_.WorkerJoined(1, Hello(100));
  std::vector<Action> actions = state_.RestartExpect(50, 1, {"uniq100"});
  std::vector<Action> replies = Sent(actions, MSG_RESTART_REPLY);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].to, 50);
  EXPECT_EQ(replies[0].status, DMT_COORD_ERROR_STILL_RUNNING);
  EXPECT_THAT(replies[0].text, HasSubstr("process 100 (a.out on node1) of these images is still running"));
  EXPECT_TRUE(state_.running());  // nothing held

  // Other images are welcome meanwhile; the same ones once the process is killed.
  replies = Sent(state_.RestartExpect(51, 1, {"uniq999"}), MSG_RESTART_REPLY);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].status, DMT_COORD_SUCCESS);
  state_.ClientLeft(51);
  state_.Command(9, CMD_KILL, 0);
  replies = Sent(state_.RestartExpect(52, 1, {"uniq100"}), MSG_RESTART_REPLY);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].status, DMT_COORD_SUCCESS);
}

TEST_F(BarrierTest, RestartBarrierHoldsUntilEveryAnnouncedProcessJoined) {
  state_.RestartExpect(50, 2);
  std::vector<Action> actions = state_.WorkerJoined(1, RestartedHello(100, 4));
  EXPECT_THAT(Recipients(actions, MSG_WELCOME), ElementsAre(1));
  EXPECT_THAT(Sent(actions, MSG_PHASE), IsEmpty());
  EXPECT_EQ(state_.workers().at(1).state, WorkerState::kRestartWaiting);
  EXPECT_FALSE(state_.running());
  EXPECT_EQ(ReplyTo(state_.Command(9, CMD_CHECKPOINT, 0), 9).status,
            DMT_COORD_ERROR_NOT_RUNNING_STATE);

  actions = state_.WorkerJoined(2, RestartedHello(200, 4));
  EXPECT_THAT(Recipients(actions, MSG_PHASE, PHASE_RESTART_RESUME), ElementsAre(1, 2));
  for (const Action& phase : Sent(actions, MSG_PHASE)) {
    EXPECT_EQ(phase.args[0], 4);  // numbering continues from the images
  }
  EXPECT_FALSE(state_.running());  // until they confirm

  state_.PhaseDone(1, 4, PHASE_RESTART_RESUME, 0, "");
  EXPECT_FALSE(state_.running());
  state_.PhaseDone(2, 4, PHASE_RESTART_RESUME, 0, "");
  EXPECT_TRUE(state_.running());

  actions = state_.Command(9, CMD_CHECKPOINT, 0);
  EXPECT_EQ(Sent(actions, MSG_PHASE)[0].args[0], 5);
}

// One dmtcp_restart per host: the images say the computation had 3 processes, so the
// first host's restored ones wait for the second host's, which shares the round.
TEST_F(BarrierTest, RestartOnSeveralHostsWaitsForTheWholeComputation) {
  std::vector<Action> replies = Sent(state_.RestartExpect(50, 2, {}, 3), MSG_RESTART_REPLY);
  ASSERT_EQ(replies.size(), 1u);
  const int64_t round = replies[0].args[0];
  EXPECT_GT(round, 0);
  state_.WorkerJoined(1, RestartedHello(100, 1));
  EXPECT_THAT(Sent(state_.WorkerJoined(2, RestartedHello(200, 1)), MSG_PHASE), IsEmpty());
  EXPECT_EQ(state_.NextTimer(), kStart + absl::Seconds(30));  // the grace for the others

  replies = Sent(state_.RestartExpect(51, 1, {}, 3), MSG_RESTART_REPLY);
  EXPECT_EQ(replies[0].args[0], round);  // the same round: they meet under its keys
  std::vector<Action> actions = state_.WorkerJoined(3, RestartedHello(300, 1));
  EXPECT_THAT(Recipients(actions, MSG_PHASE, PHASE_RESTART_RESUME), ElementsAre(1, 2, 3));

  // The next restart is another round.
  EXPECT_GT(Sent(state_.RestartExpect(52, 1, {}, 1), MSG_RESTART_REPLY)[0].args[0], round);
}

// Hosts that never come (left out on purpose, or unreachable) hold the others only for
// the grace time.
TEST_F(BarrierTest, RestartWithoutTheRestOfTheComputationResumesAfterTheGrace) {
  state_.RestartExpect(50, 1, {}, 2);
  EXPECT_THAT(Sent(state_.WorkerJoined(1, RestartedHello(100, 1)), MSG_PHASE), IsEmpty());
  EXPECT_THAT(Sent(state_.Tick(kStart + absl::Seconds(29)), MSG_PHASE), IsEmpty());
  std::vector<Action> actions = state_.Tick(kStart + absl::Seconds(30));
  EXPECT_THAT(Recipients(actions, MSG_PHASE, PHASE_RESTART_RESUME), ElementsAre(1));
  EXPECT_EQ(state_.NextTimer(), absl::InfiniteFuture());
}

TEST_F(BarrierTest, RestartClientLeavingReleasesTheBarrier) {
  state_.RestartExpect(50, 3);
  state_.WorkerJoined(1, RestartedHello(100, 1));
  std::vector<Action> actions = state_.ClientLeft(50);
  EXPECT_THAT(Recipients(actions, MSG_PHASE, PHASE_RESTART_RESUME), ElementsAre(1));
}

TEST_F(BarrierTest, RestartedWorkerWithoutRestartClientIsReleasedAtOnce) {
  std::vector<Action> actions = state_.WorkerJoined(1, RestartedHello(100, 1));
  EXPECT_THAT(Recipients(actions, MSG_WELCOME), ElementsAre(1));
  EXPECT_THAT(Recipients(actions, MSG_PHASE, PHASE_RESTART_RESUME), ElementsAre(1));
}

TEST_F(BarrierTest, ExitOnLastExitsOnlyAfterSomeoneJoined) {
  CoordinatorConfig config = Config();
  config.exit_on_last = true;
  CoordinatorState state(config, kStart);
  state.RestartExpect(50, 1);
  EXPECT_FALSE(Has(state.ClientLeft(50), Action::Kind::kExit));
  state.WorkerJoined(1, Hello(100));
  state.WorkerJoined(2, Hello(200));
  EXPECT_FALSE(Has(state.ClientLeft(1), Action::Kind::kExit));
  EXPECT_TRUE(Has(state.ClientLeft(2), Action::Kind::kExit));
}

}  // namespace
}  // namespace dmtcp::coordinator
