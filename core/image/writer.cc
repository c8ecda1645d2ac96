#include "core/image/writer.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include "core/common/dir_entries.h"
#include "core/common/fault.h"
#include "core/common/fmt.h"
#include "core/image/checksum.h"
#include "core/common/raw_syscalls.h"
#include "zlib.h"

namespace img {

namespace {

constexpr size_t kBufferBytes = 1u << 20;
constexpr size_t kCompressedBytes = IMG_CHUNK_MAX + (IMG_CHUNK_MAX >> 4) + 4096;
constexpr size_t kZlibArenaBytes = 1u << 20;
constexpr int kDeflateLevel = 1;  // speed first: memory images compress well even so

// zlib's allocator, drawing from a fixed arena (no malloc while threads are frozen).
struct Arena {
  char* base;
  size_t size, used;
};

void* ArenaAlloc(void* opaque, unsigned items, unsigned size) {
  Arena* a = static_cast<Arena*>(opaque);
  size_t n = ((size_t)items * size + 15) & ~size_t{15};
  if (a->used + n > a->size) return Z_NULL;
  void* p = a->base + a->used;
  a->used += n;
  return p;
}

void ArenaFree(void*, void*) {}  // the arena goes away with the scratch region

}  // namespace

size_t ImageWriter::ScratchBytes() {
  return kBufferBytes + kCompressedBytes + sizeof(z_stream) + sizeof(Arena) + kZlibArenaBytes + 64;
}

int ImageWriter::Begin(const char* dir, const char* name, uint32_t codec, void* scratch) {
  codec_ = codec;
  char* p = static_cast<char*>(scratch);
  buffer_ = p;
  p += kBufferBytes;
  compressed_ = p;
  p += kCompressedBytes;
  p = reinterpret_cast<char*>(((uintptr_t)p + 15) & ~uintptr_t{15});
  auto* z = reinterpret_cast<z_stream*>(p);
  p += sizeof(z_stream);
  auto* arena = reinterpret_cast<Arena*>(p);
  p += sizeof(Arena);
  arena->base = p;
  arena->size = kZlibArenaBytes;
  arena->used = 0;
  memset(z, 0, sizeof *z);
  zstream_ = z;
  if (codec_ == IMG_CODEC_DEFLATE) {
    z->zalloc = ArenaAlloc;
    z->zfree = ArenaFree;
    z->opaque = arena;
    if (deflateInit2(z, kDeflateLevel, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      return -ENOMEM;
    }
  }
  fmt_format(dir_, sizeof dir_, "%s", dir);
  fmt_format(final_name_, sizeof final_name_, "%s", name);
  fmt_format(tmp_name_, sizeof tmp_name_, "%s.tmp-%ld", name, sys::getpid());
  long dfd = sys::open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return (int)dfd;
  dir_fd_ = (int)dfd;
  long fd = sys::openat(dir_fd_, tmp_name_, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    sys::close(dir_fd_);
    dir_fd_ = -1;
    return (int)fd;
  }
  fd_ = (int)fd;
  offset_ = 0;
  buffered_ = 0;
  memset(&stats_, 0, sizeof stats_);
  return 0;
}

// Every write of image bytes, where the "image-write" fault point sits (fault.h).
static long WriteBytes(int fd, const void* data, size_t len) {
  const int fault = fault_check("image-write");
  return fault != 0 ? fault : sys::write(fd, data, len);
}

int ImageWriter::Flush() {
  size_t done = 0;
  while (done < buffered_) {
    long n = WriteBytes(fd_, buffer_ + done, buffered_ - done);
    if (n == -EINTR) continue;
    if (n < 0) return (int)n;
    done += (size_t)n;
  }
  offset_ += buffered_;
  buffered_ = 0;
  return 0;
}

int ImageWriter::Append(const void* data, size_t len) {
  const char* p = static_cast<const char*>(data);
  while (len > 0) {
    if (buffered_ == kBufferBytes) {
      int rc = Flush();
      if (rc < 0) return rc;
    }
    size_t n = kBufferBytes - buffered_;
    if (n > len) n = len;
    memcpy(buffer_ + buffered_, p, n);
    buffered_ += n;
    p += n;
    len -= n;
  }
  return 0;
}

int ImageWriter::WriteHeader(struct img_header* header) {
  header->check = img_checksum(header, offsetof(struct img_header, check), 0);
  return Append(header, sizeof *header);
}

int ImageWriter::WriteRecord(uint32_t tag, const void* payload, uint64_t len) {
  struct img_record rec = {tag, 0, len, img_record_check(tag, len, payload)};
  int rc = Append(&rec, sizeof rec);
  return rc < 0 ? rc : Append(payload, len);
}

int ImageWriter::WriteRecord2(uint32_t tag, const void* a, uint64_t a_len, const void* b,
                              uint64_t b_len) {
  // The checksum covers both parts as one payload: join them in the compression
  // buffer, which is free between chunks, or for a large one (a saved file's contents)
  // in a mapping of its own (no malloc while threads are frozen).
  const uint64_t len = a_len + b_len;
  char* joined = compressed_;
  if (len > kCompressedBytes) {
    joined = static_cast<char*>(sys::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    if (sys::failed(joined)) return -ENOMEM;
  }
  memcpy(joined, a, a_len);
  memcpy(joined + a_len, b, b_len);
  int rc = WriteRecord(tag, joined, len);
  if (joined != compressed_) sys::munmap(joined, len);
  return rc;
}

int ImageWriter::WriteAreaRecord(const struct img_area* area, const char* path) {
  stats_.n_areas++;
  stats_.area_bytes += area->end - area->start;
  return WriteRecord2(IMG_REC_AREA, area, sizeof *area, path, area->path_len);
}

static void SealChunkHeader(struct img_chunk* c) {
  c->header_check = 0;
  c->header_check = (uint32_t)img_checksum(c, sizeof *c, 0);
}

int ImageWriter::WriteChunkHeaderAndData(struct img_chunk* chunk, const void* data) {
  SealChunkHeader(chunk);
  if (chunk->stored_len < 64 * 1024) {
    int rc = Append(chunk, sizeof *chunk);
    return rc < 0 ? rc : Append(data, chunk->stored_len);
  }
  // Large payloads go straight from memory to the file, header first.
  int rc = Append(chunk, sizeof *chunk);
  if (rc == 0) rc = Flush();
  if (rc < 0) return rc;
  const char* p = static_cast<const char*>(data);
  size_t left = chunk->stored_len;
  while (left > 0) {
    long n = WriteBytes(fd_, p, left);
    if (n == -EINTR) continue;
    if (n < 0) return (int)n;
    p += n;
    left -= (size_t)n;
  }
  offset_ += chunk->stored_len;
  return 0;
}

int ImageWriter::WriteChunk(uint64_t offset, const void* data, uint32_t len) {
  struct img_chunk chunk = {};
  chunk.raw_len = len;
  chunk.offset = offset;
  chunk.raw_check = img_checksum(data, len, 0);
  const void* stored = data;
  chunk.codec = IMG_CODEC_NONE;
  chunk.stored_len = len;
  if (codec_ == IMG_CODEC_DEFLATE && !LooksIncompressible(data, len)) {
    auto* z = static_cast<z_stream*>(zstream_);
    deflateReset(z);
    z->next_in = static_cast<Bytef*>(const_cast<void*>(data));
    z->avail_in = len;
    z->next_out = reinterpret_cast<Bytef*>(compressed_);
    z->avail_out = kCompressedBytes;
    if (deflate(z, Z_FINISH) == Z_STREAM_END && z->total_out < len - len / 32) {
      chunk.codec = IMG_CODEC_DEFLATE;
      chunk.stored_len = (uint32_t)z->total_out;
      chunk.stored_check = img_checksum(compressed_, chunk.stored_len, 0);
      stored = compressed_;
    }
  }
  stats_.n_chunks++;
  stats_.raw_bytes += len;
  stats_.stored_bytes += chunk.stored_len;
  return WriteChunkHeaderAndData(&chunk, stored);
}

int ImageWriter::EndArea() {
  struct img_chunk end = {};
  SealChunkHeader(&end);
  return Append(&end, sizeof end);
}

int ImageWriter::Finish(char* final_path, size_t size) {
  int rc = WriteRecord(IMG_REC_END, &stats_, sizeof stats_);
  struct img_footer footer;
  footer.file_size = offset_ + buffered_ + sizeof footer;
  memcpy(footer.magic, IMG_END_MAGIC, 8);
  if (rc == 0) rc = Append(&footer, sizeof footer);
  if (rc == 0) rc = Flush();
  if (rc == 0) rc = fault_check("image-fsync");
  if (rc == 0) rc = (int)sys::fsync(fd_);
  if (rc == 0) rc = (int)sys::close(fd_);
  fd_ = -1;
  if (rc == 0) rc = fault_check("image-rename");
  if (rc == 0) rc = (int)sys::renameat(dir_fd_, tmp_name_, dir_fd_, final_name_);
  if (rc != 0) {
    Abort();
    return rc;
  }
  sys::fsync(dir_fd_);  // make the rename itself durable
  RemoveStaleTemporaries();
  sys::close(dir_fd_);
  dir_fd_ = -1;
  if (codec_ == IMG_CODEC_DEFLATE) deflateEnd(static_cast<z_stream*>(zstream_));
  fmt_format(final_path, size, "%s/%s", dir_, final_name_);
  return 0;
}

// Temporaries of this image that earlier checkpoints left when they died mid-write
// (killed, or the machine went down): the image is whole now, they only take space.
// Image names are unique to a process, so no other writer owns one of these.
void ImageWriter::RemoveStaleTemporaries() {
  char prefix[sizeof final_name_ + 8];
  const size_t prefix_len = fmt_format(prefix, sizeof prefix, "%s.tmp-", final_name_);
  ForEachDirEntry(dir_fd_, [&](const char* name) {
    if (strncmp(name, prefix, prefix_len) == 0) sys::unlinkat(dir_fd_, name, 0);
  });
}

void ImageWriter::Abort() {
  if (fd_ >= 0) sys::close(fd_);
  fd_ = -1;
  if (dir_fd_ >= 0) {
    sys::unlinkat(dir_fd_, tmp_name_, 0);
    sys::close(dir_fd_);
    dir_fd_ = -1;
  }
}

bool LooksIncompressible(const void* data, size_t len) {
  // Sample 64 blocks of 64 bytes. For uniformly random bytes the sum of squared
  // counts is close to n^2/256 + n; any structure (text, code, zeros, small integers)
  // pushes it far higher.
  if (len < 64 * 64) return false;
  const unsigned char* p = static_cast<const unsigned char*>(data);
  uint32_t counts[256] = {};
  const size_t stride = (len - 64) / 63;
  for (int b = 0; b < 64; b++) {
    const unsigned char* q = p + b * stride;
    for (int i = 0; i < 64; i++) counts[q[i]]++;
  }
  uint64_t squares = 0;
  for (uint32_t c : counts) squares += (uint64_t)c * c;
  const uint64_t n = 64 * 64;
  return squares < (n * n / 256) * 13 / 10 + n;
}

}  // namespace img
