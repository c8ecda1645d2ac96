// dmtcp_restart [options] IMAGE...
//
// Validates every image before touching anything, joins (or starts) a coordinator,
// announces how many processes are coming back, then for each image starts a child
// that becomes the restored process (core/restorer) and streams it its memory. It
// waits for the first image's process and exits as it does.
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "arch/arch.h"
#include "core/common/env_names.h"
#include "core/common/exit_codes.h"
#include "absl/strings/str_format.h"
#include "core/image/arch_names.h"
#include "core/image/file_pages.h"
#include "core/image/plan_builder.h"
#include "core/image/reader.h"
#include "core/protocol/protocol.h"
#include "core/protocol/wire.h"
#include "core/tools/arg_reader.h"
#include "core/tools/coordinator_launcher.h"
#include "core/restart/cpu_check.h"
#include "core/restart/restore_process.h"
#include "core/restart/shared_memory.h"
#include "core/layout/tool_paths.h"

namespace dmtcp {
namespace {

constexpr char kUsage[] =
    "Usage: dmtcp_restart [options] IMAGE...\n"
    "Restarts the processes saved in the checkpoint images.\n\n"
    "  -h, --coord-host H      coordinator host (default $DMTCP_COORD_HOST or localhost)\n"
    "  -p, --coord-port P      coordinator port (default $DMTCP_COORD_PORT or 7779; 0: any)\n"
    "  -j, --join-coordinator  fail if no coordinator answers\n"
    "      --new-coordinator   start a new coordinator\n"
    "      --no-coordinator    start a coordinator of its own on a free port\n"
    "  -i, --interval N        checkpoint every N seconds after the restart\n"
    "      --ckptdir D         write later checkpoints in D (created if missing)\n"
    "      --restartdir D      restart every ckpt_*.dmtcp image in D\n"
    "      --tmpdir D          the computation's scratch files go in D (also\n"
    "                          $DMTCP_TMPDIR; default: as at launch)\n"
    "      --debug-restart-pause N  (N >= 1; also DMTCP_RESTART_PAUSE=N) each restored\n"
    "                          process stops before it rejoins the coordinator and\n"
    "                          says how to attach gdb or continue it (kill -CONT)\n"
    "      --no-strict-checking  (also DMTCP_DISABLE_STRICT_CHECKING=1) restart\n"
    "                          images that belong to another user: by default an\n"
    "                          image is only restarted by its owner, since a restart\n"
    "                          runs whatever the image holds\n"
    "      --ignore-cpu-features  (also DMTCP_IGNORE_CPU_FEATURES=1) restart on a CPU\n"
    "                          that lacks features the image's CPU had (the program\n"
    "                          may die of an illegal instruction)\n"
    "  -q, --quiet             fewer messages\n"
    "      --help              this text\n";

struct Options {
  CoordinatorAddress coord;
  CoordinatorMode mode = CoordinatorMode::kJoinOrStart;
  int interval = -1;
  std::string ckptdir;
  std::vector<std::string> images;
  bool any_owner = false;  // --no-strict-checking: images of other users too
  bool any_cpu = false;    // --ignore-cpu-features
  std::string tmpdir;
  bool pause = false;
  bool quiet = false;
};

void AddImagesFromDir(const std::string& dir, std::vector<std::string>* images) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) Fail(absl::StrCat("cannot read directory ", dir, ": ", strerror(errno)));
  std::vector<std::string> found;
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name.rfind("ckpt_", 0) == 0 && name.size() > 6 &&
        name.compare(name.size() - 6, 6, ".dmtcp") == 0) {
      found.push_back(dir + "/" + name);
    }
  }
  closedir(d);
  if (found.empty()) Fail(absl::StrCat("no ckpt_*.dmtcp images in ", dir));
  std::sort(found.begin(), found.end());
  images->insert(images->end(), found.begin(), found.end());
}

Options Parse(int argc, char** argv) {
  Options o;
  o.coord = CoordinatorFromEnvironment();
  if (const char* dir = getenv(ENV_TMPDIR); dir != nullptr && dir[0] != '\0') o.tmpdir = Absolute(dir);
  if (const char* level = getenv(ENV_RESTART_PAUSE); level != nullptr) o.pause = atoi(level) > 0;
  ArgReader args(argc, argv);
  while (args.Next()) {
    if (TakeCoordinatorOption(args, &o.coord, &o.mode)) continue;
    if (args.Is("-i", "--interval")) {
      o.interval = static_cast<int>(args.Number(0, 1 << 30));
    } else if (args.Is("--ckptdir")) {
      o.ckptdir = Absolute(args.Value());
    } else if (args.Is("--restartdir")) {
      AddImagesFromDir(args.Value(), &o.images);
    } else if (args.Is("--tmpdir")) {
      o.tmpdir = Absolute(args.Value());
    } else if (args.Is("--debug-restart-pause")) {
      o.pause = args.Number(0, 7) > 0;
    } else if (args.Is("--no-strict-checking")) {
      o.any_owner = true;
    } else if (args.Is("--ignore-cpu-features")) {
      o.any_cpu = true;
    } else if (args.Is("-q", "--quiet")) {
      o.quiet = true;
    } else if (args.Is("--help")) {
      fputs(kUsage, stdout);
      exit(0);
    } else if (args.Is("--")) {
      while (args.Next()) o.images.push_back(args.arg());
    } else if (args.IsOption()) {
      args.Unknown();
    } else {
      o.images.push_back(args.arg());
    }
  }
  if (o.images.empty()) Fail("no checkpoint image given (see --help)");
  return o;
}

std::vector<pid_t> g_children;

void ForwardSignal(int sig) {
  for (pid_t pid : g_children) kill(pid, sig);
}

void KillChildren() {
  for (pid_t pid : g_children) kill(pid, SIGKILL);
}

[[noreturn]] void ExitLike(int status) {
  if (WIFEXITED(status)) exit(WEXITSTATUS(status));
  int sig = WTERMSIG(status);
  signal(sig, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  sigprocmask(SIG_UNBLOCK, &set, nullptr);
  kill(getpid(), sig);
  exit(128 + sig);
}

}  // namespace
}  // namespace dmtcp

int main(int argc, char** argv) {
  using namespace dmtcp;
  SetProgramName(argv[0]);
  Options o = Parse(argc, argv);

  // Everything is checked before anything is started. Images of this build's arch are
  // restarted, and of any other arch whose restorer is installed beside it (a 32-bit
  // image by a 64-bit install with the 32-bit pieces).
  std::vector<img::ImageIndex> images;
  std::vector<img::RestorePlan> plans;
  if (const char* v = getenv(ENV_DISABLE_STRICT_CHECKING); v != nullptr && strcmp(v, "0") != 0) {
    o.any_owner = true;
  }
  if (const char* v = getenv(ENV_IGNORE_CPU_FEATURES); v != nullptr && strcmp(v, "0") != 0) {
    o.any_cpu = true;
  }
  const std::string cpu = PresentCpuFeatures();
  for (const std::string& path : o.images) {
    struct stat owner;
    if (!o.any_owner && stat(path.c_str(), &owner) == 0 && owner.st_uid != geteuid()) {
      Fail(absl::StrFormat("%s belongs to user %u, not to you (%u): a restart runs what an image "
                           "holds, so only its owner restarts it (--no-strict-checking to allow it)",
                           Absolute(path), owner.st_uid, geteuid()));
    }
    absl::StatusOr<img::ImageIndex> image =
        img::ReadImageIndex(Absolute(path), {0, static_cast<uint32_t>(getpagesize())});
    if (image.ok() && image->header.arch != ARCH_ID &&
        FilesForArch(image->header.arch).restorer.empty()) {
      Fail(absl::StrFormat("%s was checkpointed on %s; this dmtcp_restart restarts %s images "
                           "(and those of arches installed beside it: ci/install --with)",
                           image->path, img::ArchName(image->header.arch), ARCH_NAME));
    }
    if (!image.ok()) Fail(image.status());
    absl::Status files = img::CheckFilePages(*image);
    if (!files.ok()) Fail(files);
    if (std::vector<std::string> missing = MissingCpuFeatures(image->cpu_features, cpu);
        !missing.empty() && !o.any_cpu) {
      Fail(absl::StrFormat("%s was checkpointed on a CPU with %s, which this one lacks: the "
                           "program would die of an illegal instruction (--ignore-cpu-features "
                           "to restart it all the same)",
                           image->path, absl::StrJoin(missing, " ")));
    }
    images.push_back(*std::move(image));
  }
  absl::StatusOr<SharedMemory> shared = PrepareSharedMemory(images);
  if (!shared.ok()) Fail(shared.status());
  for (size_t i = 0; i < images.size(); i++) {
    absl::StatusOr<img::RestorePlan> plan =
        img::BuildRestorePlan(images[i], images[i].header.pid, shared->area_fds[i]);
    if (!plan.ok()) Fail(plan.status());
    plans.push_back(*std::move(plan));
  }

  CoordinatorStartOptions start;
  start.interval = o.interval;
  absl::StatusOr<CoordinatorAddress> coord = EnsureCoordinator(o.coord, o.mode, start);
  if (!coord.ok()) Fail(coord.status());
  // From here on, a failure also takes down a coordinator started for this restart.
  auto fail = [&](const auto& why) {
    QuitIfStarted(*coord);
    Fail(why);
  };
  absl::StatusOr<int> barrier = ConnectTcp(coord->numeric_host, coord->port, absl::Seconds(10));
  if (!barrier.ok()) fail(barrier.status());
  std::vector<std::string> uniqs;
  for (const img::ImageIndex& image : images) {
    uniqs.emplace_back(image.header.uniq, strnlen(image.header.uniq, sizeof image.header.uniq));
  }
  // The images say how many processes their checkpoint had on every host: the others
  // are restored by dmtcp_restarts elsewhere, which meet this one at the coordinator.
  int64_t computation = 0;
  for (const img::ImageIndex& image : images) {
    if (image.has_computation) computation = std::max<int64_t>(computation, image.computation.processes);
  }
  absl::Status s = SendMessage(*barrier, MSG_HELLO_RESTART, 0, static_cast<int64_t>(images.size()),
                               computation, 0,
                               absl::StrCat("uniqs=", absl::StrJoin(uniqs, ","), "\n"));
  if (!s.ok()) fail(s);
  // The coordinator refuses processes that still run (two of each would follow).
  absl::StatusOr<Message> accepted = ReceiveMessage(*barrier, absl::Seconds(30));
  if (!accepted.ok()) fail(accepted.status());
  if (accepted->header.type != MSG_RESTART_REPLY) fail("the coordinator answered the restart oddly");
  if (accepted->header.status != DMT_COORD_SUCCESS) {
    fail(absl::StrCat("the coordinator refuses the restart: ", ParseKeyValues(accepted->payload)["error"]));
  }

  signal(SIGPIPE, SIG_IGN);
  RestoreSettings settings;
  settings.coord_numeric_host = coord->numeric_host;
  settings.coord_port = coord->port;
  settings.ckptdir = o.ckptdir;
  if (!o.ckptdir.empty()) {
    if (std::string why = MakeDirs(o.ckptdir, kPrivateDir); !why.empty()) {
      fail(absl::StrCat("cannot create checkpoint directory ", why));
    }
  }
  settings.interval = o.interval;
  settings.pause = o.pause;
  if (const char* mapping = getenv(ENV_PATH_MAPPING)) settings.path_mapping = mapping;
  settings.tmpdir = o.tmpdir;
  if (!o.tmpdir.empty()) {
    if (std::string why = MakeDirs(o.tmpdir); !why.empty()) fail(absl::StrCat("cannot create --tmpdir ", why));
  }
  RestartMeeting meeting(*barrier, accepted->header.arg[0], computation,
                         static_cast<int64_t>(images.size()));
  absl::StatusOr<std::vector<ProcessToRestore>> procs =
      PrepareComputation(images, plans, settings, *shared, &meeting);
  if (!procs.ok()) fail(procs.status());
  absl::Status spawned = SpawnComputation(*procs);
  for (const ProcessToRestore& p : *procs) {
    if (p.is_root && p.pid > 0) g_children.push_back(p.pid);
  }
  if (!spawned.ok()) {
    KillChildren();
    fail(spawned);
  }
  // The terminal's signals reach the restored processes directly; others sent to us
  // are passed on.
  signal(SIGINT, SIG_IGN);
  signal(SIGQUIT, SIG_IGN);
  for (int sig : {SIGTERM, SIGHUP, SIGUSR1, SIGALRM}) signal(sig, ForwardSignal);

  for (size_t i = 0; i < images.size(); i++) {
    const ProcessToRestore& p = (*procs)[i];
    absl::Status streamed = StreamImageData(images[i], plans[i], p.data_write);
    if (!streamed.ok() && !absl::IsAborted(streamed)) {
      // Bad data in the image, found here: ours is the one true reason. Every restorer
      // still waiting for data hears so and exits without a word of its own.
      for (size_t j = i; j < images.size(); j++) {
        AbortImageData((*procs)[j].data_write);
        close((*procs)[j].data_write);
      }
      KillChildren();
      fail(absl::StrCat(images[i].path, ": ", streamed.message()));
    }
    close(p.data_write);
    if (!streamed.ok()) {
      // The restorer stopped reading: it reports its own reason (a checksum, a mapping).
      int status;
      if (p.is_root && waitpid(p.pid, &status, 0) == p.pid && WIFEXITED(status) &&
          WEXITSTATUS(status) != 0) {
        KillChildren();
        QuitIfStarted(*coord);
        exit(WEXITSTATUS(status));
      }
      usleep(100 * 1000);  // a restored child's restorer may still be saying why
      KillChildren();
      fail(absl::StrCat(images[i].path, ": ", streamed.message()));
    }
  }

  // We wait for the roots; their children are theirs again. We exit as the first root
  // (in the order the images were given) did.
  absl::flat_hash_map<pid_t, int> statuses;
  while (statuses.size() < g_children.size()) {
    int status;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;
    }
    statuses[pid] = status;
  }
  int first_status = 0;
  for (const ProcessToRestore& p : *procs) {
    if (p.is_root) {
      first_status = statuses[p.pid];
      break;
    }
  }
  close(*barrier);
  ExitLike(first_status);
}
