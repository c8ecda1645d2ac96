// reader.h - reading and validating an image, for dmtcp_restart and readdmtcp.
//
// ReadImageIndex() checks everything except the memory contents before anything is
// restored: magic, format version, arch, page size, the end marker (a truncated image
// has none), and the checksum of the header, of every record and of every chunk
// header. Chunk data is checked as it is restored (ChunkDecoder, and the restorer).
// Resource records (pipes, sockets, files, ...) are parsed by their kind's function
// (resource_records.h) into the vectors below.
#ifndef CORE_IMAGE_READER_H
#define CORE_IMAGE_READER_H

#include <stdint.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/image/format.h"

namespace img {

struct ChunkRef {
  struct img_chunk header;
  uint64_t data_offset;  // where its stored bytes start in the file
};

struct AreaInfo {
  struct img_area area;
  std::string path;
  std::vector<ChunkRef> chunks;
};

struct PipeInfo {
  struct img_pipe pipe;
  std::string path;       // a FIFO's, empty for a pipe
  std::string in_flight;  // bytes in the pipe (read ends only)
};

struct SocketInfo {
  struct img_socket socket;
  std::string queue;  // its receive queue (for datagrams: 32-bit length, bytes, ...)
};

struct FileInfo {
  struct img_file file;
  std::string path;
  bool has_ghost = false;  // a deleted file whose contents the image holds
  std::string ghost;
  bool has_state = false;  // a regular file's mode and size (FILE_STATE)
  struct img_file_state state;
  std::string contents;    // with IMG_FILE_CONTENTS
};

struct MqueueInfo {
  struct img_mqueue mqueue;
  std::string name;
  std::string messages;  // img_mqueue's layout: u32 priority, u32 length, bytes; ...
};

struct TerminalInfo {
  struct img_terminal terminal;
  std::string path;
};

struct SysvInfo {
  struct img_sysv sysv;
  std::string data;  // semaphore values or messages, as in the record
};

struct ImageIndex {
  std::string path;
  uint64_t file_size = 0;
  struct img_header header;
  struct img_process process;
  bool has_family = false;  // images from before process trees lack it
  struct img_family family;
  std::string cpu_features;  // IMG_REC_CPU; empty in images without it
  bool has_computation = false;  // images before format 2's computation record lack it
  struct img_computation computation;
  std::vector<struct img_zombie> zombies;  // exited children not yet reaped
  std::vector<PipeInfo> pipes;
  std::vector<SocketInfo> sockets;
  std::vector<FileInfo> files;
  std::vector<MqueueInfo> mqueues;
  std::vector<TerminalInfo> terminals;
  std::vector<SysvInfo> sysv;
  std::vector<struct img_thread> threads;
  std::vector<AreaInfo> areas;
  struct img_stats stats;
};

// What the running system expects of an image it is to restart.
struct Expectations {
  uint32_t arch;       // 0: accept any (readdmtcp)
  uint32_t page_size;  // 0: accept any
};

absl::StatusOr<ImageIndex> ReadImageIndex(const std::string& path, const Expectations& expect);

// Decodes chunks of one image: reads the stored bytes, inflates them if compressed,
// and checks them against the chunk's checksum.
class ChunkDecoder {
 public:
  explicit ChunkDecoder(int fd);
  ~ChunkDecoder();
  // `out` must hold chunk.header.raw_len bytes.
  absl::Status Decode(const ChunkRef& chunk, char* out);

 private:
  int fd_;
  std::string stored_;
  void* zstream_ = nullptr;
};

}  // namespace img

#endif  // CORE_IMAGE_READER_H
