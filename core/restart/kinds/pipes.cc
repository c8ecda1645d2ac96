// pipes.cc - pipes and FIFOs the restored processes held, made again once and refilled.
// One kind of resource_kind.h.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "core/layout/tool_paths.h"
#include "core/restart/resource_kind.h"

namespace dmtcp {
namespace {

// One kernel pipe per pipe of the computation, refilled, and its ends handed to each
// process that held them. Pipes on stdin/stdout/stderr whose other end was outside
// the computation are left out: those descriptors stay dmtcp_restart's own. A FIFO is
// reached again through its path: opened O_RDWR by us (so no open blocks), refilled,
// then opened once per descriptor with that descriptor's access mode.
absl::Status SharePipes(Computation& c) {
  std::vector<ProcessToRestore>& procs = c.procs;
  struct Shared {
    int fds[2] = {-1, -1};  // a pipe's ends; for a FIFO, fds[0] is our O_RDWR hold
    uint32_t capacity = 0;
    const std::string* in_flight = nullptr;
    const std::string* fifo = nullptr;
    bool has_reader = false, has_writer = false;
    bool given[2] = {false, false};  // whether any process gets this end
  };
  absl::flat_hash_map<uint64_t, Shared> pipes;
  for (const ProcessToRestore& p : procs) {
    for (const img::PipeInfo& info : p.image->pipes) {
      Shared& s = pipes[info.pipe.inode];
      const int mode = info.pipe.flags & O_ACCMODE;
      s.has_reader |= mode != O_WRONLY;
      s.has_writer |= mode != O_RDONLY;
      if (info.pipe.capacity > s.capacity) s.capacity = info.pipe.capacity;
      if (mode != O_WRONLY && s.in_flight == nullptr) s.in_flight = &info.in_flight;
      if (!info.path.empty()) s.fifo = &info.path;
    }
  }
  for (auto& [inode, s] : pipes) {
    int writer;
    if (s.fifo != nullptr) {
      s.fds[0] = open(s.fifo->c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
      if (s.fds[0] < 0 && errno == ENOENT) {
        // Gone, as on another host or after a clean-up: made again where it was
        // (its mode is not recorded: the owner's alone).
        const size_t slash = s.fifo->rfind('/');
        if (slash != std::string::npos && slash > 0) MakeDirs(s.fifo->substr(0, slash), 0700);
        if (mkfifo(s.fifo->c_str(), 0600) == 0) {
          Warn(absl::StrFormat("recreated the missing FIFO %s", *s.fifo));
          s.fds[0] = open(s.fifo->c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
        }
      }
      if (s.fds[0] < 0) {
        Warn(absl::StrFormat("cannot open the FIFO %s again (%s); its descriptors are not restored",
                             *s.fifo, strerror(errno)));
        continue;
      }
      writer = s.fds[0];
    } else {
      if (pipe2(s.fds, O_CLOEXEC) != 0) return absl::InternalError(strerror(errno));
      writer = s.fds[1];
    }
    if (s.capacity > 0) fcntl(writer, F_SETPIPE_SZ, s.capacity);
    if (s.in_flight != nullptr && !s.in_flight->empty() &&
        write(writer, s.in_flight->data(), s.in_flight->size()) !=
            static_cast<ssize_t>(s.in_flight->size())) {
      return absl::InternalError("cannot put back the bytes a pipe held");
    }
  }
  for (ProcessToRestore& p : procs) {
    for (const img::PipeInfo& info : p.image->pipes) {
      Shared& s = pipes[info.pipe.inode];
      if (s.fds[0] < 0) continue;
      if (info.pipe.fd <= 2 && !(s.has_reader && s.has_writer)) continue;
      const int mode = info.pipe.flags & O_ACCMODE;
      int fd;
      if (s.fifo != nullptr) {
        fd = open(s.fifo->c_str(), mode | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) continue;
      } else {
        fd = mode == O_RDONLY ? s.fds[0] : s.fds[1];
        s.given[mode == O_RDONLY ? 0 : 1] = true;
      }
      p.give.emplace_back(fd, info.pipe.fd);
    }
  }
  // Each process's FIFO descriptors now keep the bytes; our hold can go. An end of a
  // pipe that no process holds is closed, as it was at checkpoint time: readers see
  // the end of the data once the bytes in flight are read (a writer that exited during
  // the checkpoint), writers get EPIPE.
  for (auto& [inode, s] : pipes) {
    if (s.fifo != nullptr && s.fds[0] >= 0) close(s.fds[0]);
    if (s.fifo == nullptr && !s.given[0] && s.fds[0] >= 0) close(s.fds[0]);
    if (s.fifo == nullptr && !s.given[1] && s.fds[1] >= 0) close(s.fds[1]);
  }
  return absl::OkStatus();
}

}  // namespace

extern const ResourceKind kPipes = {"pipes", SharePipes};

}  // namespace dmtcp
