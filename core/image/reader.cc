#include "core/image/reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_format.h"
#include "core/image/arch_names.h"
#include "core/image/checksum.h"
#include "core/image/resource_records.h"
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
      default: {
        // A resource's record (resource_records.h); unknown tags are records a
        // newer minor writer added, safe to skip.
        const RecordKind* kind = FindRecordKind(rec.tag);
        if (kind != nullptr && !kind->parse(payload, idx)) {
          return Corrupted(path, absl::StrFormat("bad %s record", kind->what), rec_offset);
        }
        break;
      }
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
