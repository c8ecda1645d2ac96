// writer.h - writing an image from inside the checkpointed process.
//
// Used by the runtime while the application's threads are frozen, so it never
// allocates: the caller lends it one scratch region of ScratchBytes(), zlib included
// (its allocator draws from that region). The file is written under a temporary
// name, fsync'ed and renamed into place, so a crash leaves the previous image whole.
#ifndef CORE_IMAGE_WRITER_H
#define CORE_IMAGE_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "core/image/format.h"

namespace img {

class ImageWriter {
 public:
  static size_t ScratchBytes();

  // Creates <dir>/<name>.tmp-<pid>. Returns 0 or -errno.
  int Begin(const char* dir, const char* name, uint32_t codec, void* scratch);
  int WriteHeader(struct img_header* header);  // sets header->check
  int WriteRecord(uint32_t tag, const void* payload, uint64_t len);
  // A record whose payload is `a` then `b`.
  int WriteRecord2(uint32_t tag, const void* a, uint64_t a_len, const void* b, uint64_t b_len);
  // An AREA record: the struct, then the path.
  int WriteAreaRecord(const struct img_area* area, const char* path);
  // Stores `len` (<= IMG_CHUNK_MAX) bytes found at `offset` from the area's start.
  int WriteChunk(uint64_t offset, const void* data, uint32_t len);
  int EndArea();
  // Writes the END record and footer, syncs and renames. `final_path` receives the
  // image's path. Returns 0 or -errno (the temporary file is removed on failure).
  int Finish(char* final_path, size_t size);
  void Abort();

  const struct img_stats& stats() const { return stats_; }
  uint64_t file_bytes() const { return offset_ + buffered_; }

 private:
  int Append(const void* data, size_t len);
  int Flush();
  int WriteChunkHeaderAndData(struct img_chunk* chunk, const void* data);
  void RemoveStaleTemporaries();

  int fd_ = -1;
  int dir_fd_ = -1;
  uint32_t codec_ = IMG_CODEC_NONE;
  char tmp_name_[IMG_NAME_MAX * 3];
  char final_name_[IMG_NAME_MAX * 3];
  char dir_[IMG_PATH_MAX];
  char* buffer_ = nullptr;     // pending small writes
  size_t buffered_ = 0;
  char* compressed_ = nullptr; // one chunk, deflated
  void* zstream_ = nullptr;    // z_stream, placed in scratch
  uint64_t offset_ = 0;        // bytes already in the file
  struct img_stats stats_ = {};
};

// True if `len` bytes at `data` look like they would not compress (random or already
// compressed): a byte histogram over a sample, far cheaper than trying deflate.
bool LooksIncompressible(const void* data, size_t len);

}  // namespace img

#endif  // CORE_IMAGE_WRITER_H
