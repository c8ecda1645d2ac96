#include "core/coordinator/barrier.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/protocol/protocol.h"
#include "core/protocol/wire.h"

namespace dmtcp::coordinator {
namespace {

// How long a kill command waits for the processes to be gone before answering anyway.
constexpr absl::Duration kKillWait = absl::Seconds(10);
// How long the processes restored so far wait for the rest of their computation (the
// images say how many it had) once every dmtcp_restart heard from is done: the others
// may be on hosts still being reached, or left out by the user on purpose.
constexpr absl::Duration kRestartGrace = absl::Seconds(30);

// Hands back the actions an event produced and leaves the list empty for the next.
std::vector<Action> Take(std::vector<Action>* actions) {
  std::vector<Action> taken;
  taken.swap(*actions);
  return taken;
}

// CMD_LIST columns are separated by spaces, so fields must not contain any.
std::string OneWord(const std::string& text) {
  if (text.empty()) return "-";
  std::string word = text;
  for (char& c : word) {
    if (c == ' ' || c == '\t' || c == '\n') c = '_';
  }
  return word;
}

std::string Describe(const Worker& worker) {
  return absl::StrFormat("worker %d (%s, pid %d on %s)", worker.id, worker.hello.prog,
                         worker.hello.pid, worker.hello.host);
}

// Workers should report absolute image paths; if one does not, anchor it in the
// checkpoint directory it announced so the restart script still works.
std::string AbsoluteImagePath(const std::string& image, const std::string& ckptdir) {
  if (image.empty() || image[0] == '/' || ckptdir.empty()) return image;
  return absl::StrCat(ckptdir, "/", image);
}

}  // namespace

const char* WorkerStateName(WorkerState state) {
  switch (state) {
    case WorkerState::kRunning: return "RUNNING";
    case WorkerState::kSuspending: return "SUSPENDING";
    case WorkerState::kSuspended: return "SUSPENDED";
    case WorkerState::kCheckpointing: return "CHECKPOINTING";
    case WorkerState::kCheckpointed: return "CHECKPOINTED";
    case WorkerState::kResuming: return "RESUMING";
    case WorkerState::kRestartWaiting: return "RESTARTING";
    case WorkerState::kRestartResuming: return "RESTART_RESUMING";
    case WorkerState::kKilled: return "KILLED";
  }
  return "UNKNOWN";
}

CoordinatorState::CoordinatorState(CoordinatorConfig config, absl::Time now)
    : config_(std::move(config)), now_(now) {
  SetInterval(config_.interval_seconds);
}

// ---- small helpers that append actions ----

void CoordinatorState::Send(ClientId to, int type, int32_t status, int64_t a0, int64_t a1,
                            int64_t a2, std::string payload) {
  Action action;
  action.kind = Action::Kind::kSend;
  action.to = to;
  action.type = type;
  action.status = status;
  action.args[0] = a0;
  action.args[1] = a1;
  action.args[2] = a2;
  action.text = std::move(payload);
  actions_.push_back(std::move(action));
}

void CoordinatorState::Reply(ClientId client, int status, std::string payload) {
  Send(client, MSG_COMMAND_REPLY, status, static_cast<int64_t>(workers_.size()),
       running() ? 1 : 0, interval_seconds_, std::move(payload));
}

void CoordinatorState::Log(std::string text) {
  Action action;
  action.kind = Action::Kind::kLog;
  action.text = std::move(text);
  actions_.push_back(std::move(action));
}

bool CoordinatorState::running() const {
  if (workers_.empty() || checkpoint_.has_value()) return false;
  for (const auto& [id, worker] : workers_) {
    if (worker.state != WorkerState::kRunning) return false;
  }
  return true;
}

void CoordinatorState::SetInterval(int64_t seconds) {
  interval_seconds_ = seconds;
  next_interval_checkpoint_ =
      seconds > 0 ? now_ + absl::Seconds(seconds) : absl::InfiniteFuture();
}

// ---- events ----

std::vector<Action> CoordinatorState::Tick(absl::Time now) {
  now_ = now;
  MaybeReplyKillWaiters();
  if (restart_deadline_ <= now_) MaybeReleaseRestartBarrier();
  if (exiting_ || now_ < next_interval_checkpoint_) return Take(&actions_);
  std::string why;
  if (CheckpointRefusal(&why) == DMT_COORD_SUCCESS) {
    Log(absl::StrFormat("interval of %ds reached", interval_seconds_));
    StartCheckpoint(/*kill_after=*/false, std::nullopt);
  } else {
    // Busy or nobody to checkpoint: try again one interval later. A running
    // checkpoint reschedules the timer itself when it finishes.
    next_interval_checkpoint_ = now_ + absl::Seconds(interval_seconds_);
  }
  return Take(&actions_);
}

absl::Time CoordinatorState::NextTimer() const {
  const absl::Time interval = checkpoint_.has_value() ? absl::InfiniteFuture() : next_interval_checkpoint_;
  const absl::Time kill = kill_waiters_.empty() ? absl::InfiniteFuture() : kill_deadline_;
  return std::min({interval, kill, restart_deadline_});
}

std::vector<Action> CoordinatorState::WorkerJoined(ClientId id, const WorkerHello& hello) {
  if (exiting_) return {};
  Worker& worker = workers_[id];
  worker.id = id;
  worker.hello = hello;
  // A program that exec'd says hello again from the same process before its old
  // connection closes: it keeps the pid its program knew.
  for (const auto& [other_id, other] : workers_) {
    if (other_id != id && other.hello.pid == hello.pid && !hello.restarted) {
      worker.hello.vpid = other.hello.vpid;
    }
  }
  worker.image = AbsoluteImagePath(hello.image, hello.ckptdir);
  worker.state = hello.restarted ? WorkerState::kRestartWaiting : WorkerState::kRunning;
  any_worker_joined_ = true;

  // A fresh coordinator serving a restarted computation continues its numbering.
  if (hello.restarted && hello.last_checkpoint > checkpoint_count_) {
    checkpoint_count_ = hello.last_checkpoint;
  }
  std::string joined = absl::StrCat(Describe(worker), " joined");
  if (hello.restarted) {
    absl::StrAppend(&joined, ", restored from ", worker.image.empty() ? "an image" : worker.image);
  }
  Log(joined);
  if (hello.interval_request >= 0 && hello.interval_request != interval_seconds_) {
    SetInterval(hello.interval_request);
    Log(absl::StrFormat("checkpoint interval set to %ds by worker %d", interval_seconds_, id));
  }
  Send(id, MSG_WELCOME, 0, id, checkpoint_count_, interval_seconds_,
       FormatKeyValues({{"compid", config_.compid},
                        {"vpid", absl::StrCat(worker.hello.vpid)},
                        {"pids", PidList()}}));

  if (hello.restarted) {
    killed_uniqs_.erase(hello.uniq);  // back to life: its new children are welcome
    ++restart_joined_;
    MaybeReleaseRestartBarrier();
  } else if (ChildOfKilled(hello.uniq)) {
    worker.state = WorkerState::kKilled;
    killed_uniqs_.insert(hello.uniq);
    Send(id, MSG_KILL, 0, 0, 0, 0);
    Log(absl::StrCat(Describe(worker), " was forked by a process killed before it joined: killed"));
  } else if (checkpoint_.has_value() && checkpoint_->phase == PHASE_SUSPEND) {
    // Joining while the others are being suspended: most likely a child one of them
    // just forked or spawned, or a process that exec'd (its parents wait for it before
    // they answer, see core/runtime/children.h). It belongs in this checkpoint.
    checkpoint_->participants.insert(id);
    checkpoint_->waiting.insert(id);
    worker.state = WorkerState::kSuspending;
    Send(id, MSG_PHASE, 0, checkpoint_->number, PHASE_SUSPEND,
         checkpoint_->kill_after ? PHASE_F_KILL_AFTER : 0);
    Log(absl::StrFormat("checkpoint %d: %s takes part", checkpoint_->number, Describe(worker)));
  }
  return Take(&actions_);
}

std::vector<Action> CoordinatorState::ClientLeft(ClientId id) {
  if (exiting_) return {};
  auto worker = workers_.find(id);
  if (worker != workers_.end()) {
    Log(absl::StrCat(Describe(worker->second), " left"));
    workers_.erase(worker);
    if (checkpoint_.has_value() && checkpoint_->participants.erase(id) > 0) {
      checkpoint_->waiting.erase(id);
      AdvanceCheckpoint();
    }
    MaybeExitOnLast();
  }
  if (checkpoint_.has_value()) {
    std::vector<ClientId>& reply_to = checkpoint_->reply_to;
    reply_to.erase(std::remove(reply_to.begin(), reply_to.end(), id), reply_to.end());
  }
  if (restart_clients_.erase(id) > 0) {
    restart_round_.erase(id);
    MaybeReleaseRestartBarrier();
  }
  for (auto& [name, waiting] : named_barriers_) waiting.erase(id);
  MaybeReleaseNamedBarriers();
  kill_waiters_.erase(std::remove_if(kill_waiters_.begin(), kill_waiters_.end(),
                                     [&](const PendingReply& r) { return r.client == id; }),
                      kill_waiters_.end());
  MaybeReplyKillWaiters();
  return Take(&actions_);
}

std::vector<Action> CoordinatorState::Command(ClientId client, int code, int64_t arg) {
  if (exiting_) return {};
  std::string why;
  switch (code) {
    case CMD_STATUS:
      Reply(client, DMT_COORD_SUCCESS);
      break;
    case CMD_LIST:
      Reply(client, DMT_COORD_SUCCESS, ListPayload());
      break;
    case CMD_CHECKPOINT:
    case CMD_BCHECKPOINT:
    case CMD_KCHECKPOINT: {
      int refusal = CheckpointRefusal(&why);
      if (refusal != DMT_COORD_SUCCESS) {
        Reply(client, refusal, FormatKeyValues({{"error", why}}));
        break;
      }
      bool blocking = code != CMD_CHECKPOINT;
      StartCheckpoint(code == CMD_KCHECKPOINT,
                      blocking ? std::optional<ClientId>(client) : std::nullopt);
      // A plain checkpoint is acknowledged at once; the others when images exist.
      if (!blocking) {
        Reply(client, DMT_COORD_SUCCESS,
              FormatKeyValues({{"ckpt", std::to_string(checkpoint_->number)}}));
      }
      break;
    }
    case CMD_INTERVAL:
      if (arg < 0) {
        Reply(client, DMT_COORD_ERROR_INVALID_COMMAND,
              FormatKeyValues({{"error", "the interval must be 0 (off) or more seconds"}}));
        break;
      }
      SetInterval(arg);
      Log(arg > 0 ? absl::StrFormat("checkpoint interval set to %ds", arg)
                  : std::string("interval checkpoints turned off"));
      Reply(client, DMT_COORD_SUCCESS);
      break;
    case CMD_KILL:
      KillAll();
      ReplyWhenKilled(client, DMT_COORD_SUCCESS, "");
      break;
    case CMD_QUIT: {
      KillAll();
      Reply(client, DMT_COORD_SUCCESS);
      for (PendingReply& r : kill_waiters_) Reply(r.client, r.status, r.payload);
      kill_waiters_.clear();
      // Nobody will finish a checkpoint now; tell whoever is waiting for one.
      if (checkpoint_.has_value()) {
        for (ClientId waiter : checkpoint_->reply_to) {
          Reply(waiter, DMT_COORD_ERROR_CHECKPOINT_FAILED,
                FormatKeyValues({{"error", "the coordinator was told to quit"}}));
        }
      }
      Log("quitting");
      Action exit;
      exit.kind = Action::Kind::kExit;
      actions_.push_back(exit);
      exiting_ = true;
      break;
    }
    default:
      Reply(client, DMT_COORD_ERROR_INVALID_COMMAND,
            FormatKeyValues({{"error", absl::StrFormat("unknown command code %d", code)}}));
  }
  return Take(&actions_);
}

std::vector<Action> CoordinatorState::PhaseDone(ClientId id, int64_t checkpoint, int phase,
                                                int32_t status, std::string_view payload) {
  if (exiting_) return {};
  auto found = workers_.find(id);
  if (found == workers_.end()) return {};
  Worker& worker = found->second;
  auto values = ParseKeyValues(payload);
  std::string error = values.count("error") ? values["error"] : std::string();
  if (error.empty() && status != 0) error = std::strerror(status);

  if (phase == PHASE_RESTART_RESUME) {
    if (worker.state != WorkerState::kRestartResuming) {
      Log(absl::StrCat("ignoring an unexpected restart reply from ", Describe(worker)));
      return Take(&actions_);
    }
    worker.state = WorkerState::kRunning;
    Log(status == 0 ? absl::StrCat(Describe(worker), " is running again after restart")
                    : absl::StrCat(Describe(worker), " reported a restart problem: ", error));
    return Take(&actions_);
  }

  if (!checkpoint_.has_value() || checkpoint != checkpoint_->number ||
      phase != checkpoint_->phase || checkpoint_->waiting.count(id) == 0) {
    Log(absl::StrFormat("ignoring an unexpected PHASE_DONE (checkpoint %d, phase %d) from %s",
                        checkpoint, phase, Describe(worker)));
    return Take(&actions_);
  }
  checkpoint_->waiting.erase(id);
  switch (phase) {
    case PHASE_SUSPEND: worker.state = WorkerState::kSuspended; break;
    case PHASE_CHECKPOINT: worker.state = WorkerState::kCheckpointed; break;
    default: worker.state = WorkerState::kRunning; break;
  }
  if (phase == PHASE_CHECKPOINT && status == 0) {
    int64_t bytes = 0;
    worker.image = AbsoluteImagePath(values["image"], worker.hello.ckptdir);
    worker.image_bytes = absl::SimpleAtoi(values["bytes"], &bytes) ? bytes : 0;
    if (worker.image.empty()) {
      status = EINVAL;
      error = "it reported no image path";
    } else {
      checkpoint_->images[id] = {worker.hello.host, worker.image, worker.image_bytes};
      for (const auto& [key, value] : KeyValueLines(payload)) {
        std::vector<std::string> parts = absl::StrSplit(value, ' ');
        if (key != "conn" || parts.size() != 3) continue;
        checkpoint_->connections.push_back({Describe(worker), parts[0], parts[1], parts[2]});
      }
    }
  }
  if (status != 0) {
    checkpoint_->errors.push_back(absl::StrCat(Describe(worker), ": ", error));
    Log(absl::StrFormat("checkpoint %d: %s failed phase %d: %s", checkpoint_->number,
                        Describe(worker), phase, error));
  }
  AdvanceCheckpoint();
  return Take(&actions_);
}

std::vector<Action> CoordinatorState::RestartExpect(ClientId client, int64_t count,
                                                    const std::vector<std::string>& uniqs,
                                                    int64_t computation) {
  if (exiting_) return {};
  for (const auto& [id, worker] : workers_) {
    if (worker.state == WorkerState::kKilled) continue;  // on its way out
    if (std::find(uniqs.begin(), uniqs.end(), worker.hello.uniq) == uniqs.end()) continue;
    const std::string why = absl::StrFormat(
        "process %d (%s on %s) of these images is still running; kill it first "
        "(dmtcp_command --kill)", worker.hello.vpid ? worker.hello.vpid : worker.hello.pid,
        worker.hello.prog, worker.hello.host);
    Log(absl::StrCat("restart refused: ", why));
    Send(client, MSG_RESTART_REPLY, DMT_COORD_ERROR_STILL_RUNNING, 0, 0, 0,
         FormatKeyValues({{"error", why}}));
    return Take(&actions_);
  }
  if (count > 0 && restart_round_.empty()) {
    // Several dmtcp_restart clients (one per host) add up to one barrier.
    ++restart_rounds_;
    restart_joined_ = 0;
  }
  Send(client, MSG_RESTART_REPLY, DMT_COORD_SUCCESS, restart_rounds_, 0, 0);
  restart_clients_.insert(client);
  if (count > 0) {
    restart_round_.insert(client);
    restart_expected_ += count;
    restart_computation_ = std::max(restart_computation_, computation);
    Log(absl::StrFormat("restart: expecting %d process(es)%s", restart_expected_,
                        restart_computation_ > restart_expected_
                            ? absl::StrFormat(" of %d", restart_computation_)
                            : ""));
  }
  MaybeReleaseRestartBarrier();
  return Take(&actions_);
}

// ---- checkpoints ----

int CoordinatorState::CheckpointRefusal(std::string* why) const {
  if (workers_.empty()) {
    *why = "no processes are connected to the coordinator";
    return DMT_COORD_ERROR_NO_PEERS;
  }
  if (checkpoint_.has_value()) {
    *why = absl::StrFormat("checkpoint %d is still under way", checkpoint_->number);
    return DMT_COORD_ERROR_NOT_RUNNING_STATE;
  }
  if (!running()) {
    *why = "the computation is not running (a restart or kill is under way)";
    return DMT_COORD_ERROR_NOT_RUNNING_STATE;
  }
  return DMT_COORD_SUCCESS;
}

void CoordinatorState::StartCheckpoint(bool kill_after, std::optional<ClientId> reply_to) {
  Run run;
  run.number = ++checkpoint_count_;
  run.kill_after = kill_after;
  for (const auto& [id, worker] : workers_) run.participants.insert(id);
  if (reply_to.has_value()) run.reply_to.push_back(*reply_to);
  checkpoint_ = std::move(run);
  Log(absl::StrFormat("checkpoint %d started: %d process(es)%s", checkpoint_->number,
                      checkpoint_->participants.size(), kill_after ? ", kill after" : ""));
  SendPhase(PHASE_SUSPEND);
}

void CoordinatorState::SendPhase(int phase) {
  checkpoint_->phase = phase;
  checkpoint_->waiting = checkpoint_->participants;
  int64_t flags = checkpoint_->kill_after ? PHASE_F_KILL_AFTER : 0;
  // Each image records how many were taken together: restarts on several hosts wait
  // for all of them.
  const std::string payload =
      phase == PHASE_CHECKPOINT
          ? absl::StrFormat("processes=%d\n", checkpoint_->participants.size())
          : "";
  for (ClientId id : checkpoint_->participants) {
    Worker& worker = workers_.at(id);
    switch (phase) {
      case PHASE_SUSPEND: worker.state = WorkerState::kSuspending; break;
      case PHASE_CHECKPOINT: worker.state = WorkerState::kCheckpointing; break;
      default: worker.state = WorkerState::kResuming; break;
    }
    Send(id, MSG_PHASE, 0, checkpoint_->number, phase, flags, payload);
  }
}

// Called whenever a participant answered or left: moves to the next barrier once
// everyone still present has answered the current one.
void CoordinatorState::AdvanceCheckpoint() {
  if (!checkpoint_.has_value() || !checkpoint_->waiting.empty()) return;
  switch (checkpoint_->phase) {
    case PHASE_SUSPEND:
      if (checkpoint_->participants.empty()) {
        ImagesWritten();  // reports that nothing was saved
        return;
      }
      SendPhase(PHASE_CHECKPOINT);
      return;
    case PHASE_CHECKPOINT:
      ImagesWritten();
      return;
    default:
      FinishCheckpoint();
  }
}

void CoordinatorState::ImagesWritten() {
  Run& run = *checkpoint_;
  std::vector<ImageRecord> images;
  int64_t total_bytes = 0;
  for (const auto& [id, image] : run.images) {
    images.push_back(image);
    total_bytes += image.bytes;
  }
  if (run.errors.empty() && images.empty()) {
    run.errors.push_back("every process left before writing its image");
  }
  bool failed = !run.errors.empty();

  if (!failed) FindOutsideConnections();
  if (failed) {
    Log(absl::StrFormat("checkpoint %d failed: %s", run.number, absl::StrJoin(run.errors, "; ")));
  } else {
    Log(absl::StrFormat("checkpoint %d done: %d image(s), %.1f MB", run.number, images.size(),
                        static_cast<double>(total_bytes) / 1e6));
    // Before any reply or resume, so the script exists when anyone hears of it.
    Action script;
    script.kind = Action::Kind::kWriteRestartScript;
    script.checkpoint = run.number;
    script.images = images;
    actions_.push_back(std::move(script));
  }
  std::string payload = ImagesPayload();
  const bool kill = run.kill_after && !failed && !run.participants.empty();
  for (ClientId waiter : run.reply_to) {
    if (kill) {
      kill_waiters_.push_back({waiter, DMT_COORD_SUCCESS, payload});
    } else {
      Reply(waiter, failed ? DMT_COORD_ERROR_CHECKPOINT_FAILED : DMT_COORD_SUCCESS, payload);
    }
  }
  run.reply_to.clear();

  if (run.participants.empty()) {
    FinishCheckpoint();
  } else if (kill) {
    for (ClientId id : run.participants) {
      workers_.at(id).state = WorkerState::kKilled;
      Send(id, MSG_KILL, 0, 0, 0, 0);
    }
    kill_deadline_ = now_ + kKillWait;
    Log(absl::StrFormat("checkpoint %d: killing the computation as asked", run.number));
    FinishCheckpoint();
  } else {
    // After a failure the computation resumes, even for a kill-checkpoint: killing
    // it without a complete set of images would lose it.
    SendPhase(PHASE_RESUME);
  }
}

std::string CoordinatorState::ImagesPayload() const {
  std::string payload = absl::StrCat("ckpt=", checkpoint_->number, "\n");
  for (const auto& [id, image] : checkpoint_->images) {
    absl::StrAppend(&payload, "image=", image.path, "\n");
  }
  for (const std::string& error : checkpoint_->errors) {
    absl::StrAppend(&payload, "error=", error, "\n");
  }
  for (const std::string& warning : checkpoint_->warnings) {
    absl::StrAppend(&payload, "warning=", warning, "\n");
  }
  return payload;
}

void CoordinatorState::FindOutsideConnections() {
  Run& run = *checkpoint_;
  absl::flat_hash_set<std::pair<std::string, std::string>> ends;
  for (const Run::Connection& c : run.connections) ends.insert({c.local, c.peer});
  for (const Run::Connection& c : run.connections) {
    if (ends.contains({c.peer, c.local})) continue;
    std::string warning = absl::StrFormat(
        "checkpoint %d: %s, fd %s: the connection to %s leads outside the computation; "
        "after a restart it reads as closed", run.number, c.process, c.fd, c.peer);
    Log(warning);
    run.warnings.push_back(std::move(warning));
  }
}

void CoordinatorState::FinishCheckpoint() {
  checkpoint_.reset();
  if (interval_seconds_ > 0) next_interval_checkpoint_ = now_ + absl::Seconds(interval_seconds_);
}

bool CoordinatorState::ChildOfKilled(const std::string& uniq) const {
  // A forked child's id is its parent's followed by "-<pid>" (core/runtime/runtime.cc).
  const size_t dash = uniq.rfind('-');
  return dash != std::string::npos && killed_uniqs_.count(uniq.substr(0, dash)) != 0;
}

void CoordinatorState::KillAll() {
  if (!workers_.empty()) Log(absl::StrFormat("killing %d process(es)", workers_.size()));
  for (auto& [id, worker] : workers_) {
    worker.state = WorkerState::kKilled;
    if (!worker.hello.uniq.empty()) killed_uniqs_.insert(worker.hello.uniq);
    Send(id, MSG_KILL, 0, 0, 0, 0);
  }
  kill_deadline_ = now_ + kKillWait;
}

void CoordinatorState::ReplyWhenKilled(ClientId client, int status, std::string payload) {
  kill_waiters_.push_back({client, status, std::move(payload)});
  MaybeReplyKillWaiters();
}

void CoordinatorState::MaybeReplyKillWaiters() {
  if (kill_waiters_.empty()) return;
  int alive = 0;
  for (const auto& [id, worker] : workers_) alive += worker.state == WorkerState::kKilled;
  if (alive > 0 && now_ < kill_deadline_) return;
  std::string warning;
  if (alive > 0) {
    warning = absl::StrFormat("warning=%d process(es) told to die are still connected after %d s\n",
                              alive, absl::ToInt64Seconds(kKillWait));
    Log(warning.substr(8, warning.size() - 9));
  }
  for (PendingReply& r : kill_waiters_) Reply(r.client, r.status, r.payload + warning);
  kill_waiters_.clear();
}

// ---- plugins' named barriers ----

std::vector<Action> CoordinatorState::NamedBarrier(ClientId id, const std::string& name) {
  if (exiting_ || workers_.count(id) == 0) return {};
  named_barriers_[name].insert(id);
  MaybeReleaseNamedBarriers();
  return Take(&actions_);
}

void CoordinatorState::MaybeReleaseNamedBarriers() {
  for (auto it = named_barriers_.begin(); it != named_barriers_.end();) {
    bool all_there = true;
    for (const auto& [id, worker] : workers_) {
      all_there &= worker.state == WorkerState::kKilled || it->second.count(id) > 0;
    }
    if (!all_there) {
      ++it;
      continue;
    }
    const std::string payload = FormatKeyValues({{"name", it->first}});
    for (ClientId id : it->second) Send(id, MSG_BARRIER_RELEASE, 0, 0, 0, 0, payload);
    it = named_barriers_.erase(it);
  }
}

// ---- restart barrier ----

// The name service for restored processes: every worker's pid as its program knows it
// and its pid now ("V:R,..."), so that each can translate the ids of the others.
std::string CoordinatorState::PidList() const {
  std::string pids;
  for (const auto& [id, worker] : workers_) {
    if (worker.hello.vpid == worker.hello.pid) continue;
    absl::StrAppend(&pids, pids.empty() ? "" : ",", worker.hello.vpid, ":", worker.hello.pid);
  }
  return pids;
}

void CoordinatorState::MaybeReleaseRestartBarrier() {
  const bool announced_came = restart_round_.empty() || restart_joined_ >= restart_expected_;
  if (!announced_came) return;
  if (!restart_round_.empty() && restart_joined_ < restart_computation_) {
    // The rest of the computation may still come from other hosts.
    if (restart_deadline_ == absl::InfiniteFuture()) {
      restart_deadline_ = now_ + kRestartGrace;
      return;
    }
    if (now_ < restart_deadline_) return;
    Log(absl::StrFormat("restart: %d of the computation's %d process(es) came within %s; "
                        "resuming them without the others",
                        restart_joined_, restart_computation_,
                        absl::FormatDuration(kRestartGrace)));
  }
  const std::string payload = FormatKeyValues({{"pids", PidList()}});
  int resumed = 0;
  for (auto& [id, worker] : workers_) {
    if (worker.state != WorkerState::kRestartWaiting) continue;
    worker.state = WorkerState::kRestartResuming;
    Send(id, MSG_PHASE, 0, checkpoint_count_, PHASE_RESTART_RESUME, 0, payload);
    ++resumed;
  }
  if (resumed > 0) Log(absl::StrFormat("restart: resuming %d process(es)", resumed));
  // The round is over; a later dmtcp_restart starts a new one.
  restart_round_.clear();
  restart_expected_ = 0;
  restart_computation_ = 0;
  restart_joined_ = 0;
  restart_deadline_ = absl::InfiniteFuture();
}

void CoordinatorState::MaybeExitOnLast() {
  if (!config_.exit_on_last || !workers_.empty() || !any_worker_joined_) return;
  Log("the last process left; exiting");
  Action exit;
  exit.kind = Action::Kind::kExit;
  actions_.push_back(exit);
  exiting_ = true;
}

std::string CoordinatorState::ListPayload() const {
  std::string payload;
  for (const auto& [id, worker] : workers_) {
    absl::StrAppendFormat(&payload, "%d %d %s %s %s %s\n", id, worker.hello.pid,
                          OneWord(worker.hello.host), OneWord(worker.hello.prog),
                          WorkerStateName(worker.state),
                          worker.image.empty() ? "-" : worker.image);
  }
  return payload;
}

}  // namespace dmtcp::coordinator
