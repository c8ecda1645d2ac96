#include "core/restart/restore_process.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/str_format.h"
#include "core/common/exit_codes.h"
#include "core/common/fds.h"
#include "core/image/arch_names.h"
#include "core/image/plan.h"
#include "core/restart/resource_kind.h"
#include "core/restart/emulated_restorer.h"
#include "core/restart/modify_env.h"
#include "core/restart/write_all.h"
#include "core/layout/tool_paths.h"

namespace dmtcp {
namespace {

// A pipe holding `text`, read end returned: small enough for the pipe buffer.
absl::StatusOr<int> TextPipe(const std::string& text) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return absl::InternalError(strerror(errno));
  if (write(p[1], text.data(), text.size()) != (ssize_t)text.size()) {
    close(p[0]);
    close(p[1]);
    return absl::InternalError("cannot pass the restart settings");
  }
  close(p[1]);
  return p[0];
}

absl::StatusOr<int> PlanFile(const std::string& bytes) {
  int fd = memfd_create("dmtcp-restore-plan", MFD_CLOEXEC);
  if (fd < 0) return absl::InternalError(absl::StrFormat("memfd_create: %s", strerror(errno)));
  if (!WriteAll(fd, bytes.data(), bytes.size())) {
    close(fd);
    return absl::InternalError("cannot write the restore plan");
  }
  return fd;
}

// fork(), or clone3() asking for `want_pid` when the kernel lets us (root or
// CAP_CHECKPOINT_RESTORE): then glibc's cached ids are right from the start.
pid_t ForkWithPid(pid_t want_pid) {
  struct clone_args args;
  memset(&args, 0, sizeof args);
  args.exit_signal = SIGCHLD;
  args.set_tid = reinterpret_cast<uintptr_t>(&want_pid);
  args.set_tid_size = 1;
  long pid = syscall(SYS_clone3, &args, sizeof args);
  if (pid >= 0) return static_cast<pid_t>(pid);
  return fork();
}

// A process whose group leader is another restored process waits until that leader
// exists (it may be forked on another branch of the tree) and joins its group.
void JoinProcessGroup(const std::vector<ProcessToRestore>& procs, const ProcessToRestore& p) {
  if (!p.image->has_family) return;
  const struct img_family& f = p.image->family;
  if (f.pgid == f.pid) {
    setpgid(0, 0);
    return;
  }
  bool leader_restored = false;
  for (const ProcessToRestore& q : procs) leader_restored |= q.image->header.pid == f.pgid;
  if (!leader_restored) return;  // the group of the shell that ran dmtcp_restart is fine
  for (int i = 0; i < 2000; i++) {
    if (setpgid(0, static_cast<pid_t>(f.pgid)) == 0) return;
    usleep(1000);
  }
}

// In the forked child: exits the way a child of the checkpointed process had exited,
// and stays a zombie until its restored parent reaps it.
[[noreturn]] void BecomeZombie(int wait_status) {
  if (WIFSIGNALED(wait_status)) {
    const int sig = WTERMSIG(wait_status);
    const struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, nullptr);
    kill(getpid(), sig);
    _exit(128 + sig);  // a signal that does not kill: the closest exit status
  }
  _exit(WEXITSTATUS(wait_status));
}

// In a forked child: says why it cannot become its process, and ends.
[[noreturn]] void ChildFails(const ProcessToRestore& p, const std::string& why) {
  fprintf(stderr, "%s: %s: %s\n", ProgramName(), p.image->path.c_str(), why.c_str());
  _exit(FailRc());
}

// In the forked child: becomes procs[i]. Its children first, then its descriptors,
// then the restorer.
[[noreturn]] void BecomeProcess(std::vector<ProcessToRestore>& procs, size_t i) {
  ProcessToRestore& p = procs[i];
  if (p.image->has_family && p.image->family.sid == p.image->family.pid && !p.keep_session) {
    setsid();
  }
  if (p.ctty >= 0 && ioctl(p.ctty, TIOCSCTTY, 0) != 0) {
    fprintf(stderr, "%s: warning: %s: cannot take its controlling terminal again: %s\n",
            ProgramName(), p.image->path.c_str(), strerror(errno));
  }
  for (size_t c : p.children) {
    pid_t pid = ForkWithPid(static_cast<pid_t>(procs[c].image->header.pid));
    if (pid == 0) BecomeProcess(procs, c);
    if (pid < 0) ChildFails(p, absl::StrFormat("cannot fork a child: %s", strerror(errno)));
  }
  std::string zombies;
  for (const struct img_zombie& z : p.image->zombies) {
    pid_t pid = ForkWithPid(static_cast<pid_t>(z.pid));
    if (pid == 0) BecomeZombie(z.wait_status);
    if (pid < 0) ChildFails(p, absl::StrFormat("cannot fork an exited child: %s", strerror(errno)));
    absl::StrAppendFormat(&zombies, "%s%d:%d", zombies.empty() ? "" : ",", z.pid, pid);
  }
  absl::StatusOr<int> info_fd = TextPipe(p.info + absl::StrFormat("zombies=%s\n", zombies));
  if (!info_fd.ok()) ChildFails(p, std::string(info_fd.status().message()));
  p.give.emplace_back(*info_fd, FD_RESTART_INFO);
  JoinProcessGroup(procs, p);

  // Move every source above every target first, so no dup2 overwrites a source. Users'
  // soft limit on descriptors is often 1024, just above the targets: lift it to the
  // hard limit meanwhile (what is above the old limit is closed before the exec).
  struct rlimit nofile;
  getrlimit(RLIMIT_NOFILE, &nofile);
  struct rlimit lifted = nofile;
  lifted.rlim_cur = nofile.rlim_max;
  setrlimit(RLIMIT_NOFILE, &lifted);
  std::vector<std::pair<int, int>> moved;
  for (const auto& [source, target] : p.give) {
    const int at = target <= 2 ? FD_SAVED_STDIO + target : target;  // see fds.h
    const int high = fcntl(source, F_DUPFD_CLOEXEC, FD_COORD + 1);
    if (high < 0) {
      ChildFails(p, absl::StrFormat("cannot hand over %d descriptors above %d: %s (ulimit -Hn "
                                    "is %d; it must allow more)",
                                    p.give.size(), FD_COORD, strerror(errno),
                                    static_cast<long>(nofile.rlim_max)));
    }
    moved.emplace_back(high, at);
  }
  std::vector<bool> keep(FD_COORD + 1, false);
  for (const auto& [source, target] : moved) {
    if (dup2(source, target) < 0) {
      ChildFails(p, absl::StrFormat("cannot put a descriptor at %d: %s", target, strerror(errno)));
    }
    if (target <= FD_COORD) keep[static_cast<size_t>(target)] = true;
  }
  for (int fd = 3; fd <= FD_COORD; fd++) {
    if (!keep[static_cast<size_t>(fd)]) close(fd);
  }
  syscall(SYS_close_range, FD_COORD + 1, ~0U, 0);
  setrlimit(RLIMIT_NOFILE, &nofile);
  char* const argv[] = {const_cast<char*>("dmtcp_restorer"),
                        const_cast<char*>(p.image->path.c_str()), nullptr};
  execv(p.restorer.c_str(), argv);
  fprintf(stderr, "%s: cannot run %s: %s\n", ProgramName(), p.restorer.c_str(), strerror(errno));
  _exit(FailRc());
}

}  // namespace

absl::StatusOr<std::vector<ProcessToRestore>> PrepareComputation(
    const std::vector<img::ImageIndex>& images, const std::vector<img::RestorePlan>& plans,
    const RestoreSettings& settings, const SharedMemory& shared, RestartMeeting* meeting) {
  const std::vector<std::vector<std::pair<int, int>>>& more_fds = shared.give;
  std::vector<ProcessToRestore> procs(images.size());
  // Whether we hold our terminal's foreground, which restored processes may then take.
  const bool foreground = isatty(0) && tcgetpgrp(0) == getpgrp();
  for (size_t i = 0; i < images.size(); i++) {
    ProcessToRestore& p = procs[i];
    const img::ImageIndex& image = images[i];
    p.image = &image;
    p.plan = &plans[i];
    const ArchFiles files = FilesForArch(image.header.arch);
    if (files.restorer.empty()) {
      return absl::FailedPreconditionError(absl::StrFormat(
          "%s is a %s image and no %s restorer is installed here", image.path,
          img::ArchName(image.header.arch), img::ArchName(image.header.arch)));
    }
    absl::StatusOr<std::string> restorer = RestorerFor(image, files);
    if (!restorer.ok()) return restorer.status();
    p.restorer = *restorer;
    std::string info = absl::StrFormat("coord_addr=%s\ncoord_port=%d\nimage=%s\n",
                                       settings.coord_numeric_host, settings.coord_port, image.path);
    if (!settings.ckptdir.empty()) info += absl::StrFormat("ckptdir=%s\n", settings.ckptdir);
    if (settings.interval >= 0) info += absl::StrFormat("interval=%d\n", settings.interval);
    if (!settings.tmpdir.empty()) info += absl::StrFormat("tmpdir=%s\n", settings.tmpdir);
    if (settings.pause) info += "pause=1\n";
    if (!settings.path_mapping.empty()) info += absl::StrFormat("path_mapping=%s\n", settings.path_mapping);
    // dmtcp_env.txt beside the image (or in --ckptdir), for processes launched with
    // --modify-env (modify_env.h).
    const size_t slash = image.path.rfind('/');
    std::string env = ResolveModifyEnv(slash == std::string::npos ? "." : image.path.substr(0, slash));
    if (env.empty() && !settings.ckptdir.empty()) env = ResolveModifyEnv(settings.ckptdir);
    if (!env.empty()) info += absl::StrFormat("modify_env=%s\n", env);
    info += absl::StrFormat("foreground=%d\n", foreground ? 1 : 0);
    p.info = std::move(info);
    absl::StatusOr<int> plan_fd = PlanFile(plans[i].bytes);
    if (!plan_fd.ok()) return plan_fd.status();
    int image_fd = open(image.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (image_fd < 0) {
      return absl::NotFoundError(absl::StrFormat("cannot open %s: %s", image.path, strerror(errno)));
    }
    int data[2];
    if (pipe2(data, O_CLOEXEC) != 0) return absl::InternalError(strerror(errno));
    fcntl(data[1], F_SETPIPE_SZ, 1 << 20);  // fewer wakeups; best effort
    p.data_write = data[1];
    p.give = {{*plan_fd, FD_RESTORE_PLAN}, {data[0], FD_RESTORE_DATA},
              {image_fd, FD_RESTORE_IMAGE}};
    if (i < more_fds.size()) p.give.insert(p.give.end(), more_fds[i].begin(), more_fds[i].end());
  }
  // Parents fork their children: a process whose parent is restored too is not a root.
  for (size_t i = 0; i < images.size(); i++) {
    procs[i].is_root = true;
    if (!images[i].has_family) continue;
    for (size_t j = 0; j < images.size(); j++) {
      if (j != i && images[j].header.pid == images[i].family.ppid) {
        procs[j].children.push_back(i);
        procs[i].is_root = false;
      }
    }
  }
  Computation computation{images, procs, shared.objects, meeting};
  absl::Status shared_resources = ShareResources(computation);
  if (!shared_resources.ok()) return shared_resources;
  return procs;
}

absl::Status SpawnComputation(std::vector<ProcessToRestore>& procs) {
  for (size_t i = 0; i < procs.size(); i++) {
    if (!procs[i].is_root) continue;
    pid_t pid = ForkWithPid(static_cast<pid_t>(procs[i].image->header.pid));
    if (pid == 0) {
      for (const ProcessToRestore& p : procs) close(p.data_write);
      BecomeProcess(procs, i);
    }
    if (pid < 0) return absl::InternalError(absl::StrFormat("fork: %s", strerror(errno)));
    procs[i].pid = pid;
  }
  // Our copies of what the processes were given (a shared pipe or memory object is in
  // several lists; closing twice is harmless here, nothing else opens meanwhile).
  for (ProcessToRestore& p : procs) {
    for (const auto& [source, target] : p.give) close(source);
  }
  return absl::OkStatus();
}

absl::Status StreamImageData(const img::ImageIndex& image, const img::RestorePlan& plan,
                             int data_fd) {
  int fd = open(image.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::NotFoundError(absl::StrFormat("cannot open %s: %s", image.path, strerror(errno)));
  img::ChunkDecoder decoder(fd);
  std::vector<char> buffer(IMG_CHUNK_MAX);
  absl::Status status;
  for (const img::ChunkRef* c : plan.streamed) {
    status = decoder.Decode(*c, buffer.data());
    if (!status.ok()) break;
    const uint64_t len = c->header.raw_len;  // each chunk comes after its length (plan.h)
    if (!WriteAll(data_fd, &len, sizeof len) || !WriteAll(data_fd, buffer.data(), len)) {
      status = absl::AbortedError("the restored process stopped reading its memory");
      break;
    }
  }
  close(fd);
  return status;
}

void AbortImageData(int data_fd) {
  const uint64_t abort = PLAN_STREAM_ABORT;
  WriteAll(data_fd, &abort, sizeof abort);  // a restorer already gone cannot be told
}

}  // namespace dmtcp
