#include "core/restart/shared_memory.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <algorithm>
#include <cstring>
#include <functional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_format.h"
#include "core/common/exit_codes.h"
#include "core/common/fds.h"

namespace dmtcp {
namespace {

struct ObjectKey {
  uint64_t dev, inode;
  bool operator==(const ObjectKey& o) const { return dev == o.dev && inode == o.inode; }
  template <typename H>
  friend H AbslHashValue(H h, const ObjectKey& k) {
    return H::combine(std::move(h), k.dev, k.inode);
  }
};

struct Object {
  int fd = -1;
  uint64_t size = 0;
  std::string path;  // a named file to reopen, or "" for memory of its own
};

bool IsBrokered(const img::AreaInfo& a) {
  return (a.area.flags & IMG_AREA_SHARED) && !(a.area.flags & IMG_AREA_NO_DATA);
}

absl::Status OpenObject(Object* o, const std::string& name) {
  if (!o->path.empty()) {
    o->fd = open(o->path.c_str(), O_RDWR | O_CLOEXEC);
    if (o->fd >= 0) return absl::OkStatus();
    fprintf(stderr, "%s: warning: %s is gone (%s); its shared mappings are restored as "
                    "shared memory with the checkpointed contents\n",
            ProgramName(), o->path.c_str(), strerror(errno));
  }
  o->fd = memfd_create(name.c_str(), MFD_CLOEXEC);
  if (o->fd < 0 || ftruncate(o->fd, static_cast<off_t>(o->size)) != 0) {
    return absl::InternalError(absl::StrFormat("cannot create shared memory: %s", strerror(errno)));
  }
  return absl::OkStatus();
}

// Writes the chunks of `area` into the object at the offsets the area maps.
absl::Status Fill(const img::ImageIndex& image, const img::AreaInfo& area, int object_fd) {
  return ForEachAreaChunk(image, area, [&](uint64_t at, const char* data, size_t len) {
    if (pwrite(object_fd, data, len, static_cast<off_t>(at)) != static_cast<ssize_t>(len)) {
      return absl::InternalError(absl::StrFormat("cannot fill shared memory: %s", strerror(errno)));
    }
    return absl::OkStatus();
  });
}

}  // namespace

absl::Status ForEachAreaChunk(
    const img::ImageIndex& image, const img::AreaInfo& area,
    const std::function<absl::Status(uint64_t offset, const char* data, size_t len)>& fn) {
  int fd = open(image.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::NotFoundError(absl::StrFormat("cannot open %s", image.path));
  img::ChunkDecoder decoder(fd);
  std::vector<char> buffer(IMG_CHUNK_MAX);
  absl::Status s;
  for (const img::ChunkRef& c : area.chunks) {
    s = decoder.Decode(c, buffer.data());
    if (s.ok()) s = fn(area.area.file_offset + c.header.offset, buffer.data(), c.header.raw_len);
    if (!s.ok()) break;
  }
  close(fd);
  return s;
}

absl::StatusOr<SharedMemory> PrepareSharedMemory(const std::vector<img::ImageIndex>& images) {
  SharedMemory shared;
  absl::flat_hash_map<ObjectKey, Object> objects;
  for (const img::ImageIndex& image : images) {
    for (const img::AreaInfo& a : image.areas) {
      if (!IsBrokered(a)) continue;
      Object& o = objects[{a.area.dev, a.area.inode}];
      o.size = std::max(o.size, a.area.file_offset + (a.area.end - a.area.start));
      if (a.area.flags & IMG_AREA_FILE) o.path = a.path;
    }
  }
  for (auto& [key, o] : objects) {
    absl::Status s = OpenObject(&o, absl::StrFormat("dmtcp-shared-%x", key.inode));
    if (!s.ok()) return s;
    shared.objects[{key.dev, key.inode}] = o.fd;
  }
  // Contents: every process's copy holds the same bytes (all were stopped together);
  // the first image that maps an object writes them, from each of its areas of it.
  absl::flat_hash_set<ObjectKey> filled;
  for (const img::ImageIndex& image : images) {
    std::vector<int> fds(image.areas.size(), -1);
    std::vector<std::pair<int, int>> give;
    absl::flat_hash_set<int> used;  // this process's pipe descriptors: not ours to take
    for (const img::PipeInfo& p : image.pipes) used.insert(p.pipe.fd);
    absl::flat_hash_map<int, int> number_of;  // object fd -> number in this process
    absl::flat_hash_set<ObjectKey> filling;   // objects this image writes
    int next = FD_RUNTIME_LOWEST - 1;
    for (size_t i = 0; i < image.areas.size(); i++) {
      const img::AreaInfo& a = image.areas[i];
      if (!IsBrokered(a)) continue;
      const ObjectKey key{a.area.dev, a.area.inode};
      const Object& o = objects[key];
      if (!filled.contains(key)) {
        absl::Status s = Fill(image, a, o.fd);
        if (!s.ok()) return s;
        filling.insert(key);
      }
      if (!number_of.contains(o.fd)) {
        while (used.contains(next)) next--;
        if (next < 3) return absl::ResourceExhaustedError("too many shared memory objects");
        number_of[o.fd] = next;
        give.emplace_back(o.fd, next);
        next--;
      }
      fds[i] = number_of[o.fd];
    }
    filled.insert(filling.begin(), filling.end());
    shared.area_fds.push_back(std::move(fds));
    shared.give.push_back(std::move(give));
  }
  return shared;
}

}  // namespace dmtcp
