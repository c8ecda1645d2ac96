#include "core/image/reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_format.h"
#include "core/image/arch_names.h"
#include "core/image/checksum.h"
#include "zlib.h"

namespace img {
namespace {

// Reads exactly `len` bytes at `offset`, or says why the image is short.
absl::Status ReadAt(int fd, void* buf, size_t len, uint64_t offset, const std::string& path) {
  char* p = static_cast<char*>(buf);
  while (len > 0) {
    ssize_t n = pread(fd, p, len, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return absl::DataLossError(absl::StrFormat("cannot read %s: %s", path, strerror(errno)));
    if (n == 0) {
      return absl::DataLossError(absl::StrFormat("%s is truncated (ends at byte %d)", path, offset));
    }
    p += n;
    len -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return absl::OkStatus();
}

absl::Status Corrupted(const std::string& path, const std::string& what, uint64_t offset) {
  return absl::DataLossError(
      absl::StrFormat("%s is corrupted: %s at byte %d", path, what, offset));
}

class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() { close(fd_); }

 private:
  int fd_;
};

absl::Status CheckHeader(const ImageIndex& idx, const Expectations& expect) {
  const struct img_header& h = idx.header;
  const std::string& path = idx.path;
  if (memcmp(h.magic, IMG_MAGIC, 8) != 0) {
    return absl::InvalidArgumentError(absl::StrFormat("%s is not a checkpoint image", path));
  }
  if (h.format_version != IMG_FORMAT_VERSION) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "%s has image format version %d; this dmtcp_restart reads version %d (use the %s one)",
        path, h.format_version, IMG_FORMAT_VERSION,
        h.format_version > IMG_FORMAT_VERSION ? "newer" : "older"));
  }
  if (h.check != img_checksum(&h, offsetof(struct img_header, check), 0) ||
      h.header_size != sizeof h) {
    return Corrupted(path, "header checksum mismatch", 0);
  }
  if (expect.arch != 0 && h.arch != expect.arch) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "%s was checkpointed on %s; this dmtcp_restart restarts %s images", path,
        ArchName(h.arch), ArchName(expect.arch)));
  }
  if (expect.page_size != 0 && h.page_size != expect.page_size) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "%s was made with %d-byte pages; this kernel uses %d-byte pages", path, h.page_size,
        expect.page_size));
  }
  return absl::OkStatus();
}

// Reads the chunk headers of the area that starts at `offset`; returns the offset
// after its end chunk.
absl::StatusOr<uint64_t> ReadChunks(int fd, const ImageIndex& idx, AreaInfo* area,
                                    uint64_t offset) {
  const uint64_t size = area->area.end - area->area.start;
  uint64_t next_free = 0;  // chunks come in increasing, non-overlapping order
  for (;;) {
    ChunkRef ref;
    if (offset + sizeof ref.header > idx.file_size) return Corrupted(idx.path, "chunk runs past the end", offset);
    absl::Status s = ReadAt(fd, &ref.header, sizeof ref.header, offset, idx.path);
    if (!s.ok()) return s;
    struct img_chunk copy = ref.header;
    copy.header_check = 0;
    if ((uint32_t)img_checksum(&copy, sizeof copy, 0) != ref.header.header_check) {
      return Corrupted(idx.path, "chunk header checksum mismatch", offset);
    }
    offset += sizeof ref.header;
    if (ref.header.raw_len == 0) return offset;  // end of this area
    ref.data_offset = offset;
    if (ref.header.raw_len > IMG_CHUNK_MAX || ref.header.offset < next_free ||
        ref.header.offset + ref.header.raw_len > size ||
        (ref.header.codec != IMG_CODEC_NONE && ref.header.codec != IMG_CODEC_DEFLATE) ||
        (ref.header.codec == IMG_CODEC_NONE && ref.header.stored_len != ref.header.raw_len) ||
        offset + ref.header.stored_len > idx.file_size) {
      return Corrupted(idx.path, "chunk header out of range", offset - sizeof ref.header);
    }
    next_free = ref.header.offset + ref.header.raw_len;
    offset += ref.header.stored_len;
    area->chunks.push_back(ref);
  }
}

}  // namespace

absl::StatusOr<ImageIndex> ReadImageIndex(const std::string& path, const Expectations& expect) {
  ImageIndex idx;
  idx.path = path;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::NotFoundError(absl::StrFormat("cannot open %s: %s", path, strerror(errno)));
  }
  FdCloser closer(fd);
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrFormat("%s is not a regular file", path));
  }
  idx.file_size = static_cast<uint64_t>(st.st_size);
  if (idx.file_size == 0) {
    return absl::InvalidArgumentError(absl::StrFormat("%s is empty, not a checkpoint image", path));
  }
  if (idx.file_size < sizeof(struct img_header) + sizeof(struct img_footer)) {
    if (idx.file_size >= 8) {
      char magic[8];
      if (ReadAt(fd, magic, 8, 0, path).ok() && memcmp(magic, IMG_MAGIC, 8) == 0) {
        return absl::DataLossError(absl::StrFormat(
            "%s is truncated (%d bytes): the checkpoint did not finish or the file was cut",
            path, idx.file_size));
      }
    }
    return absl::InvalidArgumentError(absl::StrFormat("%s is not a checkpoint image", path));
  }
  absl::Status s = ReadAt(fd, &idx.header, sizeof idx.header, 0, path);
  if (s.ok()) s = CheckHeader(idx, expect);
  if (!s.ok()) return s;

  struct img_footer footer;
  s = ReadAt(fd, &footer, sizeof footer, idx.file_size - sizeof footer, path);
  if (!s.ok()) return s;
  if (memcmp(footer.magic, IMG_END_MAGIC, 8) != 0 || footer.file_size != idx.file_size) {
    return absl::DataLossError(absl::StrFormat(
        "%s is truncated or damaged at its end (no end marker): the checkpoint did not "
        "finish or the file was cut", path));
  }

  const uint64_t end = idx.file_size - sizeof footer;
  uint64_t offset = sizeof idx.header;
  bool have_process = false, have_end = false;
  std::string payload;
  while (offset < end && !have_end) {
    struct img_record rec;
    if (offset + sizeof rec > end) return Corrupted(path, "record runs past the end", offset);
    s = ReadAt(fd, &rec, sizeof rec, offset, path);
    if (!s.ok()) return s;
    const uint64_t rec_offset = offset;
    offset += sizeof rec;
    if (rec.length > end - offset || rec.length > (16u << 20)) {
      return Corrupted(path, "record length out of range", rec_offset);
    }
    payload.resize(rec.length);
    s = ReadAt(fd, payload.data(), rec.length, offset, path);
    if (!s.ok()) return s;
    if (rec.reserved != 0 || img_record_check(rec.tag, rec.length, payload.data()) != rec.check) {
      return Corrupted(path, "record checksum mismatch", rec_offset);
    }
    offset += rec.length;
    switch (rec.tag) {
      case IMG_REC_PROCESS:
        if (rec.length != sizeof idx.process) return Corrupted(path, "bad process record", rec_offset);
        memcpy(&idx.process, payload.data(), sizeof idx.process);
        have_process = true;
        break;
      case IMG_REC_FAMILY:
        if (rec.length != sizeof idx.family) return Corrupted(path, "bad family record", rec_offset);
        memcpy(&idx.family, payload.data(), sizeof idx.family);
        idx.has_family = true;
        break;
      case IMG_REC_ZOMBIE: {
        struct img_zombie z;
        if (rec.length != sizeof z) return Corrupted(path, "bad zombie record", rec_offset);
        memcpy(&z, payload.data(), sizeof z);
        if (z.pid == 0 || z.reserved != 0) return Corrupted(path, "bad zombie record", rec_offset);
        idx.zombies.push_back(z);
        break;
      }
      case IMG_REC_SYSV: {
        SysvInfo v;
        if (rec.length < sizeof v.sysv) return Corrupted(path, "bad System V IPC record", rec_offset);
        memcpy(&v.sysv, payload.data(), sizeof v.sysv);
        if (v.sysv.bytes != rec.length - sizeof v.sysv || v.sysv.kind < IMG_SYSV_SHM ||
            v.sysv.kind > IMG_SYSV_MSG || v.sysv.id < 0 ||
            (v.sysv.kind == IMG_SYSV_SEM && v.sysv.bytes != 2ull * v.sysv.count)) {
          return Corrupted(path, "bad System V IPC record", rec_offset);
        }
        v.data.assign(payload.data() + sizeof v.sysv, v.sysv.bytes);
        idx.sysv.push_back(std::move(v));
        break;
      }
      case IMG_REC_PIPE: {
        PipeInfo p;
        if (rec.length < sizeof p.pipe) return Corrupted(path, "bad pipe record", rec_offset);
        memcpy(&p.pipe, payload.data(), sizeof p.pipe);
        if ((uint64_t)p.pipe.bytes + p.pipe.path_len != rec.length - sizeof p.pipe || p.pipe.fd < 0) {
          return Corrupted(path, "bad pipe record", rec_offset);
        }
        p.path.assign(payload.data() + sizeof p.pipe, p.pipe.path_len);
        p.in_flight.assign(payload.data() + sizeof p.pipe + p.pipe.path_len, p.pipe.bytes);
        idx.pipes.push_back(std::move(p));
        break;
      }
      case IMG_REC_SOCKET: {
        SocketInfo so;
        if (rec.length < sizeof so.socket) return Corrupted(path, "bad socket record", rec_offset);
        memcpy(&so.socket, payload.data(), sizeof so.socket);
        if (so.socket.bytes != rec.length - sizeof so.socket || so.socket.fd < 0 ||
            so.socket.local_len > sizeof so.socket.local || so.socket.peer_len > sizeof so.socket.peer) {
          return Corrupted(path, "bad socket record", rec_offset);
        }
        so.queue.assign(payload.data() + sizeof so.socket, so.socket.bytes);
        idx.sockets.push_back(std::move(so));
        break;
      }
      case IMG_REC_FILE: {
        FileInfo f;
        if (rec.length < sizeof f.file) return Corrupted(path, "bad file record", rec_offset);
        memcpy(&f.file, payload.data(), sizeof f.file);
        if (f.file.path_len != rec.length - sizeof f.file || f.file.fd < 0) {
          return Corrupted(path, "bad file record", rec_offset);
        }
        f.path.assign(payload.data() + sizeof f.file, f.file.path_len);
        idx.files.push_back(std::move(f));
        break;
      }
      case IMG_REC_GHOST: {
        struct img_ghost g;
        if (rec.length < sizeof g) return Corrupted(path, "bad deleted-file record", rec_offset);
        memcpy(&g, payload.data(), sizeof g);
        FileInfo* file = idx.files.empty() ? nullptr : &idx.files.back();
        if (g.size != rec.length - sizeof g || g.reserved != 0 || file == nullptr ||
            file->file.fd != g.fd) {
          return Corrupted(path, "bad deleted-file record", rec_offset);
        }
        file->has_ghost = true;
        file->ghost.assign(payload.data() + sizeof g, g.size);
        break;
      }
      case IMG_REC_FILE_STATE: {
        struct img_file_state st;
        if (rec.length < sizeof st) return Corrupted(path, "bad file state record", rec_offset);
        memcpy(&st, payload.data(), sizeof st);
        FileInfo* file = idx.files.empty() ? nullptr : &idx.files.back();
        const uint64_t contents = (st.flags & IMG_FILE_CONTENTS) ? st.size : 0;
        if (contents != rec.length - sizeof st || st.reserved != 0 || file == nullptr ||
            file->file.fd != st.fd || file->has_state ||
            (st.flags & ~(uint32_t)(IMG_FILE_CONTENTS | IMG_FILE_OVERWRITE)) != 0) {
          return Corrupted(path, "bad file state record", rec_offset);
        }
        file->has_state = true;
        file->state = st;
        file->contents.assign(payload.data() + sizeof st, contents);
        break;
      }
      case IMG_REC_MQUEUE: {
        MqueueInfo q;
        if (rec.length < sizeof q.mqueue) return Corrupted(path, "bad message queue record", rec_offset);
        memcpy(&q.mqueue, payload.data(), sizeof q.mqueue);
        if (q.mqueue.fd < 0 || q.mqueue.maxmsg <= 0 || q.mqueue.msgsize <= 0 ||
            rec.length - sizeof q.mqueue != q.mqueue.name_len + q.mqueue.bytes) {
          return Corrupted(path, "bad message queue record", rec_offset);
        }
        q.name.assign(payload.data() + sizeof q.mqueue, q.mqueue.name_len);
        q.messages.assign(payload.data() + sizeof q.mqueue + q.mqueue.name_len, q.mqueue.bytes);
        idx.mqueues.push_back(std::move(q));
        break;
      }
      case IMG_REC_TERMINAL: {
        TerminalInfo t;
        if (rec.length < sizeof t.terminal) return Corrupted(path, "bad terminal record", rec_offset);
        memcpy(&t.terminal, payload.data(), sizeof t.terminal);
        if (t.terminal.path_len != rec.length - sizeof t.terminal || t.terminal.fd < 0 ||
            t.terminal.role < IMG_TTY_MASTER || t.terminal.role > IMG_TTY_OTHER) {
          return Corrupted(path, "bad terminal record", rec_offset);
        }
        t.path.assign(payload.data() + sizeof t.terminal, t.terminal.path_len);
        idx.terminals.push_back(std::move(t));
        break;
      }
      case IMG_REC_THREAD: {
        if (rec.length != sizeof(struct img_thread)) return Corrupted(path, "bad thread record", rec_offset);
        struct img_thread t;
        memcpy(&t, payload.data(), sizeof t);
        idx.threads.push_back(t);
        break;
      }
      case IMG_REC_AREA: {
        AreaInfo area;
        if (rec.length < sizeof area.area) return Corrupted(path, "bad area record", rec_offset);
        memcpy(&area.area, payload.data(), sizeof area.area);
        if (area.area.path_len != rec.length - sizeof area.area || area.area.end <= area.area.start) {
          return Corrupted(path, "bad area record", rec_offset);
        }
        area.path.assign(payload.data() + sizeof area.area, area.area.path_len);
        absl::StatusOr<uint64_t> after = ReadChunks(fd, idx, &area, offset);
        if (!after.ok()) return after.status();
        offset = *after;
        idx.areas.push_back(std::move(area));
        break;
      }
      case IMG_REC_END:
        if (rec.length != sizeof idx.stats) return Corrupted(path, "bad end record", rec_offset);
        memcpy(&idx.stats, payload.data(), sizeof idx.stats);
        have_end = true;
        break;
      default:
        break;  // records a newer minor writer added; safe to skip
    }
  }
  if (!have_end || offset != end) return Corrupted(path, "records do not reach the end marker", offset);
  if (!have_process || idx.threads.empty() || idx.areas.empty()) {
    return Corrupted(path, "image lacks its process, thread or memory records", offset);
  }
  if (idx.stats.n_areas != idx.areas.size()) {
    return Corrupted(path, "record counts disagree with the end record", offset);
  }
  return idx;
}

ChunkDecoder::ChunkDecoder(int fd) : fd_(fd) {}

ChunkDecoder::~ChunkDecoder() {
  if (zstream_ != nullptr) {
    inflateEnd(static_cast<z_stream*>(zstream_));
    delete static_cast<z_stream*>(zstream_);
  }
}

absl::Status ChunkDecoder::Decode(const ChunkRef& chunk, char* out) {
  const struct img_chunk& h = chunk.header;
  if (h.codec == IMG_CODEC_NONE) {
    absl::Status s = ReadAt(fd_, out, h.raw_len, chunk.data_offset, "image");
    if (!s.ok()) return s;
  } else {
    stored_.resize(h.stored_len);
    absl::Status s = ReadAt(fd_, stored_.data(), h.stored_len, chunk.data_offset, "image");
    if (!s.ok()) return s;
    if (img_checksum(stored_.data(), h.stored_len, 0) != h.stored_check) {
      return absl::DataLossError(absl::StrFormat(
          "the image is corrupted: checksum mismatch in the compressed data at byte %d",
          chunk.data_offset));
    }
    if (zstream_ == nullptr) {
      auto* z = new z_stream();
      if (inflateInit2(z, -15) != Z_OK) {
        delete z;
        return absl::InternalError("cannot initialise zlib");
      }
      zstream_ = z;
    }
    auto* z = static_cast<z_stream*>(zstream_);
    inflateReset(z);
    z->next_in = reinterpret_cast<Bytef*>(stored_.data());
    z->avail_in = h.stored_len;
    z->next_out = reinterpret_cast<Bytef*>(out);
    z->avail_out = h.raw_len;
    if (inflate(z, Z_FINISH) != Z_STREAM_END || z->total_out != h.raw_len) {
      return absl::DataLossError(absl::StrFormat(
          "the image is corrupted: compressed data at byte %d does not decompress",
          chunk.data_offset));
    }
  }
  if (img_checksum(out, h.raw_len, 0) != h.raw_check) {
    return absl::DataLossError(absl::StrFormat(
        "the image is corrupted: checksum mismatch in the data at byte %d", chunk.data_offset));
  }
  return absl::OkStatus();
}

}  // namespace img
