// barrier.h - the coordinator's brain: who is connected, which checkpoint barrier is
// under way, and what to send next. A pure state machine: no sockets, no clock, no
// files. The server (server.h) feeds it events and carries out the actions it
// returns, so every rule below can be unit-tested by calling methods.
//
// A checkpoint is three global barriers over the workers present when it starts:
// PHASE_SUSPEND, PHASE_CHECKPOINT (images written), then PHASE_RESUME, or MSG_KILL
// after a kill-checkpoint. A barrier completes when every participant still connected
// has answered MSG_PHASE_DONE for it.
#ifndef CORE_COORDINATOR_BARRIER_H
#define CORE_COORDINATOR_BARRIER_H

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"

namespace dmtcp::coordinator {

// Every connection gets an id; workers learn theirs from MSG_WELCOME.
using ClientId = int64_t;
// The coordinator's own stdin, which can issue commands like a dmtcp_command client.
inline constexpr ClientId kConsoleClient = 0;

// What a worker told us in MSG_HELLO_WORKER.
struct WorkerHello {
  int64_t pid = 0;
  std::string host;
  std::string prog;
  std::string uniq;     // image id
  std::string ckptdir;  // where its images go
  std::string image;    // restarted workers: the image they were restored from
  int64_t last_checkpoint = 0;   // restarted workers: the ckpt= number of that image
  int64_t interval_request = -1;  // seconds, -1 when the worker asks for nothing
  bool restarted = false;         // WORKER_F_RESTARTED
  int64_t vpid = 0;               // the pid the program knows it by (hello key vpid=)
};

enum class WorkerState {
  kRunning,
  kSuspending,       // PHASE_SUSPEND sent
  kSuspended,        // ... and done
  kCheckpointing,    // PHASE_CHECKPOINT sent
  kCheckpointed,     // ... and its image is written
  kResuming,         // PHASE_RESUME sent
  kRestartWaiting,   // restored, held at the restart barrier
  kRestartResuming,  // PHASE_RESTART_RESUME sent
  kKilled,           // MSG_KILL sent; it will disconnect
};
// One word, as shown by CMD_LIST ("RUNNING", "SUSPENDED", ...).
const char* WorkerStateName(WorkerState state);

struct Worker {
  ClientId id = 0;
  WorkerHello hello;
  WorkerState state = WorkerState::kRunning;
  std::string image;        // absolute path of its latest image, if any
  int64_t image_bytes = 0;  // as reported with that image
};

// An image written by one worker in a completed checkpoint.
struct ImageRecord {
  std::string host;
  std::string path;
  int64_t bytes = 0;
};

// One thing for the server to do. Fields not named for a kind are unused.
struct Action {
  enum class Kind {
    kSend,                // send a message to client `to`
    kWriteRestartScript,  // checkpoint `checkpoint` completed with `images`
    kLog,                 // print `text` (unless quiet)
    kExit,                // stop the coordinator once earlier actions are done
  };
  Kind kind = Kind::kLog;

  ClientId to = 0;
  int type = 0;  // msg_type
  int32_t status = 0;
  int64_t args[3] = {0, 0, 0};
  std::string text;  // kSend: payload; kLog: the line

  int64_t checkpoint = 0;
  std::vector<ImageRecord> images;
};

struct CoordinatorConfig {
  std::string compid;             // computation id, sent in MSG_WELCOME
  int64_t interval_seconds = 0;   // 0: no automatic checkpoints
  bool exit_on_last = false;      // exit when the last worker leaves
};

class CoordinatorState {
 public:
  CoordinatorState(CoordinatorConfig config, absl::Time now);

  // Advances the clock; starts an interval checkpoint when one is due.
  std::vector<Action> Tick(absl::Time now);
  // When Tick next has work to do (absl::InfiniteFuture() if never).
  absl::Time NextTimer() const;

  std::vector<Action> WorkerJoined(ClientId id, const WorkerHello& hello);
  // Any client (worker, command or restart) closed its connection.
  std::vector<Action> ClientLeft(ClientId id);
  // A dmtcp_command client (or kConsoleClient) asks for `code` (a CMD_*).
  std::vector<Action> Command(ClientId client, int code, int64_t arg);
  std::vector<Action> PhaseDone(ClientId id, int64_t checkpoint, int phase, int32_t status,
                                std::string_view payload);
  // A worker's plugin waits at the global barrier `name` (dmtcp_global_barrier): every
  // worker is released when all of the computation's have reached it or left.
  std::vector<Action> NamedBarrier(ClientId id, const std::string& name);
  // A dmtcp_restart client is about to restore `count` processes, from images of the
  // processes `uniqs` (WorkerHello::uniq): refused while any of those still runs.
  // `computation` is how many processes the images' checkpoint had on every host (0:
  // not known); the restored ones wait for that many, up to kRestartGrace.
  std::vector<Action> RestartExpect(ClientId client, int64_t count,
                                    const std::vector<std::string>& uniqs = {},
                                    int64_t computation = 0);

  // Read-only views, for status replies, the server and tests.
  const std::map<ClientId, Worker>& workers() const { return workers_; }
  // Workers exist and none is in a checkpoint or restart barrier.
  bool running() const;
  int64_t interval_seconds() const { return interval_seconds_; }
  // The highest checkpoint number started so far (0 before the first).
  int64_t checkpoint_count() const { return checkpoint_count_; }
  bool checkpoint_in_progress() const { return checkpoint_.has_value(); }

 private:
  // The checkpoint under way.
  struct Run {
    int64_t number = 0;
    bool kill_after = false;
    int phase = 0;                  // the barrier under way (PHASE_*)
    std::set<ClientId> participants;  // workers taking part, still connected
    std::set<ClientId> waiting;       // participants yet to answer `phase`
    std::vector<ClientId> reply_to;   // bcheckpoint/kcheckpoint clients
    // Images written in this checkpoint, kept even if their worker leaves later:
    // they are part of the snapshot taken while everyone was suspended.
    std::map<ClientId, ImageRecord> images;
    std::vector<std::string> errors;  // one per failed worker
    // Connected stream sockets the workers reported with their images, to find
    // those whose peer is outside the computation.
    struct Connection {
      std::string process;  // as Describe() names it
      std::string fd, local, peer;
    };
    std::vector<Connection> connections;
    std::vector<std::string> warnings;
  };

  void Send(ClientId to, int type, int32_t status, int64_t a0, int64_t a1, int64_t a2,
            std::string payload = "");
  void Reply(ClientId client, int status, std::string payload = "");
  void Log(std::string text);

  void SetInterval(int64_t seconds);
  // Why a checkpoint cannot start now (0 if it can), and the error text.
  int CheckpointRefusal(std::string* why) const;
  void StartCheckpoint(bool kill_after, std::optional<ClientId> reply_to);
  void SendPhase(int phase);
  void AdvanceCheckpoint();
  void ImagesWritten();
  void FinishCheckpoint();
  // Warns of each reported connection whose other end no process reported.
  void FindOutsideConnections();
  std::string ImagesPayload() const;
  void KillAll();
  // Whether `uniq` names a child forked by a process a kill reached.
  bool ChildOfKilled(const std::string& uniq) const;
  // Answers `client` once every killed worker has disconnected (its process is gone,
  // so a restart cannot meet it), or when kKillWait has passed.
  void ReplyWhenKilled(ClientId client, int status, std::string payload);
  void MaybeReplyKillWaiters();
  void MaybeReleaseRestartBarrier();
  void MaybeReleaseNamedBarriers();
  std::string PidList() const;
  void MaybeExitOnLast();
  std::string ListPayload() const;

  CoordinatorConfig config_;
  absl::Time now_;
  int64_t interval_seconds_ = 0;
  absl::Time next_interval_checkpoint_ = absl::InfiniteFuture();
  int64_t checkpoint_count_ = 0;
  bool any_worker_joined_ = false;
  bool exiting_ = false;

  std::map<ClientId, Worker> workers_;  // ordered by id: join order
  // The image ids (WorkerHello::uniq) of the processes a kill reached. A child one of
  // them forked just before dying joins on its own a moment later: it dies too.
  std::set<std::string> killed_uniqs_;
  std::optional<Run> checkpoint_;

  // Restart barrier: dmtcp_restart clients that announced a count in the current
  // round, the total they announced, and how many restored workers joined since.
  std::set<ClientId> restart_clients_;
  std::set<ClientId> restart_round_;
  int64_t restart_expected_ = 0;
  int64_t restart_computation_ = 0;
  int64_t restart_rounds_ = 0;  // restart barriers begun, numbering their kvdb keys  // the most any image of the round said it had
  absl::Time restart_deadline_ = absl::InfiniteFuture();  // see kRestartGrace
  std::map<std::string, std::set<ClientId>> named_barriers_;  // name -> workers waiting
  int64_t restart_joined_ = 0;

  struct PendingReply {
    ClientId client;
    int status;
    std::string payload;
  };
  std::vector<PendingReply> kill_waiters_;
  absl::Time kill_deadline_ = absl::InfiniteFuture();

  std::vector<Action> actions_;  // filled by one event, then handed back
};

}  // namespace dmtcp::coordinator

#endif  // CORE_COORDINATOR_BARRIER_H
