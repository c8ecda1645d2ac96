#include "core/tools/restore_process.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/str_format.h"
#include "core/common/exit_codes.h"
#include "core/common/fds.h"
#include "core/image/arch_names.h"
#include "core/tools/tool_paths.h"

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
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) {
      close(fd);
      return absl::InternalError("cannot write the restore plan");
    }
    done += static_cast<size_t>(n);
  }
  return fd;
}

// fork(), or clone3() asking for `want_pid` when the kernel lets us (root or
// CAP_CHECKPOINT_RESTORE): then glibc's cached ids are right from the start.
pid_t ForkWithPid(pid_t want_pid, bool* kept) {
  struct clone_args args;
  memset(&args, 0, sizeof args);
  args.exit_signal = SIGCHLD;
  args.set_tid = reinterpret_cast<uintptr_t>(&want_pid);
  args.set_tid_size = 1;
  long pid = syscall(SYS_clone3, &args, sizeof args);
  if (pid >= 0) {
    *kept = true;
    return static_cast<pid_t>(pid);
  }
  *kept = false;
  return fork();
}

// In the child: put each input on its agreed number, close everything else, exec.
[[noreturn]] void ExecRestorer(int plan_fd, int data_fd, int info_fd, int image_fd,
                               const std::string& image, const std::string& restorer) {
  const int wanted[][2] = {{plan_fd, FD_RESTORE_PLAN}, {data_fd, FD_RESTORE_DATA},
                           {info_fd, FD_RESTART_INFO}, {image_fd, FD_RESTORE_IMAGE}};
  // Move them above every target first, so no dup2 overwrites a source.
  int moved[4];
  for (int i = 0; i < 4; i++) moved[i] = fcntl(wanted[i][0], F_DUPFD_CLOEXEC, FD_COORD + 1);
  for (int i = 0; i < 4; i++) {
    if (moved[i] < 0 || dup2(moved[i], wanted[i][1]) < 0) _exit(FailRc());
  }
  syscall(SYS_close_range, 3, FD_RUNTIME_LOWEST - 1, 0);
  syscall(SYS_close_range, FD_COORD, ~0U, 0);
  char* const argv[] = {const_cast<char*>("dmtcp_restorer"), const_cast<char*>(image.c_str()),
                        nullptr};
  execv(restorer.c_str(), argv);
  fprintf(stderr, "%s: cannot run %s: %s\n", ProgramName(), restorer.c_str(), strerror(errno));
  _exit(FailRc());
}

}  // namespace

absl::StatusOr<RestoreProcess> StartRestoreProcess(const img::ImageIndex& image,
                                                   const img::RestorePlan& plan,
                                                   const RestoreSettings& settings) {
  std::string info = absl::StrFormat("coord_addr=%s\ncoord_port=%d\nimage=%s\n",
                                     settings.coord_numeric_host, settings.coord_port, image.path);
  if (!settings.ckptdir.empty()) info += absl::StrFormat("ckptdir=%s\n", settings.ckptdir);
  if (settings.interval >= 0) info += absl::StrFormat("interval=%d\n", settings.interval);
  absl::StatusOr<int> info_fd = TextPipe(info);
  if (!info_fd.ok()) return info_fd.status();
  absl::StatusOr<int> plan_fd = PlanFile(plan.bytes);
  if (!plan_fd.ok()) return plan_fd.status();
  const std::string restorer = FilesForArch(image.header.arch).restorer;
  if (restorer.empty()) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "%s is a %s image and no %s restorer is installed here", image.path,
        img::ArchName(image.header.arch), img::ArchName(image.header.arch)));
  }
  int image_fd = open(image.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (image_fd < 0) return absl::NotFoundError(absl::StrFormat("cannot open %s: %s", image.path, strerror(errno)));
  int data[2];
  if (pipe2(data, O_CLOEXEC) != 0) return absl::InternalError(strerror(errno));
  fcntl(data[1], F_SETPIPE_SZ, 1 << 20);  // fewer wakeups; best effort

  RestoreProcess child;
  child.pid = ForkWithPid(static_cast<pid_t>(image.header.pid), &child.kept_pid);
  if (child.pid < 0) return absl::InternalError(absl::StrFormat("fork: %s", strerror(errno)));
  if (child.pid == 0) {
    close(data[1]);
    ExecRestorer(*plan_fd, data[0], *info_fd, image_fd, image.path, restorer);
  }
  close(image_fd);
  close(data[0]);
  close(*plan_fd);
  close(*info_fd);
  child.data_fd = data[1];
  return child;
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
    const char* p = buffer.data();
    size_t left = status.ok() ? c->header.raw_len : 0;
    while (left > 0) {
      ssize_t n = write(data_fd, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        status = absl::AbortedError("the restored process stopped reading its memory");
        break;
      }
      p += n;
      left -= static_cast<size_t>(n);
    }
    if (!status.ok()) break;
  }
  close(fd);
  return status;
}

}  // namespace dmtcp
