// files.cc - regular files, directories and devices: put back as their records say
// (file_state.h), then each open file description reopened once.
// One kind of resource_kind.h.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "core/restart/resource_kind.h"
#include "core/restart/file_state.h"

namespace dmtcp {
namespace {

// An open file description: the same file, flags and offset.
struct DescriptionKey {
  uint64_t dev, inode;
  uint32_t flags;
  int64_t pos;
  bool operator==(const DescriptionKey& o) const {
    return dev == o.dev && inode == o.inode && flags == o.flags && pos == o.pos;
  }
  template <typename H>
  friend H AbslHashValue(H h, const DescriptionKey& k) {
    return H::combine(std::move(h), k.dev, k.inode, k.flags, k.pos);
  }
};

// A deleted file made again from the contents the image holds: unlinked, in its old
// directory if that still exists (so it stays on the same kind of filesystem), else
// as a memfd; opened with `flags` at the saved offset.
int Ghost(const img::FileInfo& f, int flags) {
  const std::string path = f.path.substr(0, f.path.size() - strlen(" (deleted)"));
  const std::string dir = path.substr(0, path.rfind('/') + 1);
  int fd = open(dir.empty() ? "." : dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) fd = memfd_create(path.substr(path.rfind('/') + 1).c_str(), MFD_CLOEXEC);
  if (fd < 0) return -1;
  for (size_t done = 0; done < f.ghost.size();) {
    ssize_t n = pwrite(fd, f.ghost.data() + done, f.ghost.size() - done, static_cast<off_t>(done));
    if (n <= 0) {
      close(fd);
      return -1;
    }
    done += static_cast<size_t>(n);
  }
  int reopened = open(absl::StrFormat("/proc/self/fd/%d", fd).c_str(), flags);
  close(fd);
  if (reopened >= 0 && f.file.pos > 0) lseek(reopened, static_cast<off_t>(f.file.pos), SEEK_SET);
  return reopened;
}

// Each open file description once: descriptors that shared it within a process
// (same_as) or across processes (same file, flags and offset) get the same one.
absl::Status ShareFiles(Computation& c) {
  std::vector<ProcessToRestore>& procs = c.procs;
  const SharedObjects& objects = c.shared_memory;
  PutBackFiles(c.images);
  absl::flat_hash_map<DescriptionKey, int> opened;  // description -> our descriptor (-1: failed)
  for (ProcessToRestore& p : procs) {
    absl::flat_hash_map<int, const img::FileInfo*> by_fd;
    for (const img::FileInfo& f : p.image->files) by_fd[f.file.fd] = &f;
    for (const img::FileInfo& f : p.image->files) {
      // A terminal on 0-2 is the terminal dmtcp_restart runs in.
      if (f.file.kind == IMG_FILE_TERMINAL && f.file.fd <= 2) continue;
      const img::FileInfo* rep = f.file.same_as >= 0 && by_fd.contains(f.file.same_as)
                                     ? by_fd[f.file.same_as]
                                     : &f;
      const DescriptionKey key{rep->file.dev, rep->file.inode, rep->file.flags & ~(uint32_t)O_CLOEXEC,
                    rep->file.kind == IMG_FILE_REGULAR || rep->file.kind == IMG_FILE_DIRECTORY
                        ? rep->file.pos : 0};
      auto it = opened.find(key);
      if (it == opened.end()) {
        int fd = -1;
        // O_NOFOLLOW (shm_open passes it) would refuse /proc/self/fd's magic links, and
        // the path recorded is the one the descriptor reached anyway.
        const int flags =
            (int)(rep->file.flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY | O_NOFOLLOW)) | O_CLOEXEC;
        if (EndsWith(rep->path, " (deleted)")) {
          // Deleted, but perhaps its contents were mapped shared (a /dev/shm segment
          // created, mapped and unlinked): the memory dmtcp_restart filled is that file.
          const auto memory = objects.find({rep->file.dev, rep->file.inode});
          if (memory != objects.end()) {
            fd = open(absl::StrFormat("/proc/self/fd/%d", memory->second).c_str(), flags);
            if (fd >= 0 && key.pos > 0) lseek(fd, static_cast<off_t>(key.pos), SEEK_SET);
          }
          if (fd < 0 && rep->has_ghost) fd = Ghost(*rep, flags);
          if (fd < 0) {
            Warn(absl::StrFormat("%s was deleted before the checkpoint; fd %d of %s is not restored",
                                 rep->path, f.file.fd, p.image->path));
          }
        } else {
          fd = open(rep->path.c_str(), flags);
          if (fd < 0) {
            Warn(absl::StrFormat("cannot reopen %s (%s); fd %d of %s is not restored", rep->path,
                                 strerror(errno), f.file.fd, p.image->path));
          } else if (key.pos > 0) {
            lseek(fd, static_cast<off_t>(key.pos), SEEK_SET);
          }
        }
        it = opened.emplace(key, fd).first;
      }
      if (it->second >= 0) p.give.emplace_back(it->second, f.file.fd);
    }
  }
  return absl::OkStatus();
}

}  // namespace

extern const ResourceKind kFiles = {"files", ShareFiles};

}  // namespace dmtcp
