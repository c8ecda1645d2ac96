// sysv.cc - System V IPC objects brought back by dmtcp_restart (resource_kind.h).
//
// A shared memory segment, semaphore set or message queue belongs to no process: each
// one the computation used is created once, before any process is restored, with the
// state its images recorded (a segment's contents from an area mapping it, semaphore
// values, queued messages). An object with a key that exists on this host already is
// taken over and set to the checkpointed state (it is most likely the same object,
// left behind by the processes that were killed); a private one is always new. The
// processes learn each object's new id ("sysv=kind:old:new,..." in their restart
// settings) and put their segments back at the addresses they had.

#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "core/restart/resource_kind.h"
#include "core/restart/shared_memory.h"

namespace dmtcp {
namespace {

const char* KindName(uint32_t kind) {
  return kind == IMG_SYSV_SHM ? "shared memory segment"
         : kind == IMG_SYSV_SEM ? "semaphore set"
                                : "message queue";
}

absl::Status Failed(const img::SysvInfo& v, const char* what) {
  return absl::FailedPreconditionError(absl::StrFormat(
      "cannot %s System V %s %d (key %#x): %s", what, KindName(v.sysv.kind), v.sysv.virtual_id,
      static_cast<unsigned>(v.sysv.key), strerror(errno)));
}

// The existing object with the record's key, or a new one (always new for IPC_PRIVATE).
template <typename Get>
int Obtain(const img::SysvInfo& v, Get get) {
  const int mode = static_cast<int>(v.sysv.mode & 0777);
  if (v.sysv.key != IPC_PRIVATE) {
    int id = get(v.sysv.key, 0);
    if (id >= 0) return id;
  }
  return get(v.sysv.key, IPC_CREAT | IPC_EXCL | mode);
}

// The area of some image that maps segment `id` at offset 0 onwards.
absl::Status FillSegment(const std::vector<img::ImageIndex>& images, const img::SysvInfo& v,
                         char* segment) {
  for (const img::ImageIndex& image : images) {
    bool found = false;
    for (const img::AreaInfo& a : image.areas) {
      if (!(a.area.flags & IMG_AREA_SYSV_SHM) || a.area.inode != static_cast<uint64_t>(v.sysv.id)) continue;
      found = true;
      // The mapping is whole pages; what lies past the segment's size is the kernel's
      // padding, not the segment's.
      const uint64_t mapped = a.area.end - a.area.start;
      absl::Status s = ForEachAreaChunk(image, a, [&](uint64_t at, const char* data, size_t len) {
        if (at + len > mapped) return absl::DataLossError("a segment's data runs past its mapping");
        if (at < v.sysv.size) memcpy(segment + at, data, std::min<uint64_t>(len, v.sysv.size - at));
        return absl::OkStatus();
      });
      if (!s.ok()) return s;
    }
    if (found) return absl::OkStatus();  // one process's areas hold all it had attached
  }
  return absl::OkStatus();  // attached nowhere: the checkpoint warned it comes back empty
}

absl::StatusOr<int> RecreateSegment(const std::vector<img::ImageIndex>& images,
                                    const img::SysvInfo& v) {
  const int id = Obtain(v, [&](key_t key, int flags) { return shmget(key, v.sysv.size, flags); });
  if (id < 0) return Failed(v, "create");
  struct shmid_ds ds;
  if (shmctl(id, IPC_STAT, &ds) != 0) return Failed(v, "inspect");
  if (ds.shm_segsz < v.sysv.size) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "System V shared memory segment %d: key %#x is taken on this host by a smaller segment "
        "(%zu bytes, %llu needed)", v.sysv.virtual_id, static_cast<unsigned>(v.sysv.key),
        static_cast<size_t>(ds.shm_segsz), static_cast<unsigned long long>(v.sysv.size)));
  }
  void* at = shmat(id, nullptr, 0);
  if (at == reinterpret_cast<void*>(-1)) return Failed(v, "attach");
  memset(at, 0, v.sysv.size);
  absl::Status s = FillSegment(images, v, static_cast<char*>(at));
  shmdt(at);
  if (!s.ok()) return s;
  return id;
}

absl::StatusOr<int> RecreateSemaphores(const img::SysvInfo& v) {
  const int count = static_cast<int>(v.sysv.count);
  const int id = Obtain(v, [&](key_t key, int flags) { return semget(key, count, flags); });
  if (id < 0) return Failed(v, "create");
  std::vector<unsigned short> values(v.sysv.count);
  memcpy(values.data(), v.data.data(), v.data.size());
  if (semctl(id, 0, SETALL, values.data()) != 0) return Failed(v, "set the values of");
  return id;
}

absl::StatusOr<int> RecreateQueue(const img::SysvInfo& v) {
  const int id = Obtain(v, [&](key_t key, int flags) { return msgget(key, flags); });
  if (id < 0) return Failed(v, "create");
  // An existing queue is emptied first, then refilled in order.
  std::vector<char> buffer(sizeof(long) + (1 << 20));
  while (msgrcv(id, buffer.data(), buffer.size() - sizeof(long), 0, IPC_NOWAIT | MSG_NOERROR) >= 0) {
  }
  struct msqid_ds ds;
  if (msgctl(id, IPC_STAT, &ds) == 0 && v.sysv.size != 0 && ds.msg_qbytes != v.sysv.size) {
    ds.msg_qbytes = v.sysv.size;
    msgctl(id, IPC_SET, &ds);  // above the system's limit it needs privilege: best effort
  }
  size_t off = 0;
  for (uint32_t i = 0; i < v.sysv.count; i++) {
    struct img_sysv_msg head;
    if (off + sizeof head > v.data.size()) return absl::DataLossError("a message queue record is cut short");
    memcpy(&head, v.data.data() + off, sizeof head);
    off += sizeof head;
    if (head.length > v.data.size() - off || head.length + sizeof(long) > buffer.size()) {
      return absl::DataLossError("a message queue record is cut short");
    }
    const long type = static_cast<long>(head.type);
    memcpy(buffer.data(), &type, sizeof type);
    memcpy(buffer.data() + sizeof type, v.data.data() + off, head.length);
    off += head.length;
    if (msgsnd(id, buffer.data(), head.length, IPC_NOWAIT) != 0) return Failed(v, "refill");
  }
  return id;
}

// Creates the objects and tells every process their new ids ("sysv=" in its settings).
absl::Status RecreateSysvObjects(Computation& c) {
  const std::vector<img::ImageIndex>& images = c.images;
  // Every process that used an object recorded it; the first record stands for all.
  absl::flat_hash_map<std::pair<uint32_t, int32_t>, int> new_ids;
  std::string list;
  for (const img::ImageIndex& image : images) {
    for (const img::SysvInfo& v : image.sysv) {
      const std::pair<uint32_t, int32_t> key{v.sysv.kind, v.sysv.id};
      if (new_ids.contains(key)) continue;
      absl::StatusOr<int> id = v.sysv.kind == IMG_SYSV_SHM   ? RecreateSegment(images, v)
                               : v.sysv.kind == IMG_SYSV_SEM ? RecreateSemaphores(v)
                                                             : RecreateQueue(v);
      if (!id.ok()) return id.status();
      new_ids[key] = *id;
      absl::StrAppendFormat(&list, "%s%u:%d:%d", list.empty() ? "" : ",", v.sysv.kind, v.sysv.id, *id);
    }
  }
  if (list.empty()) return absl::OkStatus();
  for (ProcessToRestore& p : c.procs) absl::StrAppendFormat(&p.info, "sysv=%s\n", list);
  return absl::OkStatus();
}

}  // namespace

extern const ResourceKind kSysv = {"sysv", RecreateSysvObjects};

}  // namespace dmtcp
