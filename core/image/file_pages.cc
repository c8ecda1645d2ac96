#include "core/image/file_pages.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "absl/strings/str_format.h"
#include "core/image/checksum.h"

namespace img {
namespace {

constexpr uint64_t kReadMax = 1 << 20;

absl::Status Refuse(const ImageIndex& image, const AreaInfo& a, const std::string& why) {
  return absl::FailedPreconditionError(absl::StrFormat(
      "%s needs %s as it was at the checkpoint (only the pages the program changed are in "
      "the image), but %s; restart where the checkpoint was taken, or checkpoint with "
      "DMTCP_ALL_PAGES=1 to store every page",
      image.path, a.path, why));
}

// The area's checksum over the pages no chunk covers, read from the file (format.h).
absl::Status CheckArea(const ImageIndex& image, const AreaInfo& a, int fd, uint64_t page) {
  std::vector<char> buf(kReadMax);
  uint64_t check = 0;
  size_t next_chunk = 0;
  uint64_t offset = 0;  // from the area's start
  const uint64_t size = a.area.end - a.area.start;
  while (offset < size) {
    // Skip what the chunks hold; take the run of pages up to the next chunk.
    while (next_chunk < a.chunks.size() &&
           a.chunks[next_chunk].header.offset + a.chunks[next_chunk].header.raw_len <= offset) {
      next_chunk++;
    }
    if (next_chunk < a.chunks.size() && a.chunks[next_chunk].header.offset <= offset) {
      offset = a.chunks[next_chunk].header.offset + a.chunks[next_chunk].header.raw_len;
      continue;
    }
    uint64_t run_end = next_chunk < a.chunks.size() ? a.chunks[next_chunk].header.offset : size;
    if (run_end - offset > kReadMax) run_end = offset + kReadMax;
    const uint64_t len = run_end - offset;
    ssize_t n = pread(fd, buf.data(), len, static_cast<off_t>(a.area.file_offset + offset));
    if (n < 0) return Refuse(image, a, absl::StrFormat("it cannot be read (%s)", strerror(errno)));
    memset(buf.data() + n, 0, len - static_cast<uint64_t>(n));  // past the file's end
    for (uint64_t off = 0; off < len; off += page) check = img_checksum(buf.data() + off, page, check);
    offset = run_end;
  }
  if (check != a.area.file_check) return Refuse(image, a, "its contents differ now");
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckFilePages(const ImageIndex& image) {
  const uint64_t page = image.header.page_size;
  for (const AreaInfo& a : image.areas) {
    if (!(a.area.flags & IMG_AREA_FILE_PAGES)) continue;
    int fd = open(a.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Refuse(image, a, absl::StrFormat("it cannot be opened (%s)", strerror(errno)));
    absl::Status s = CheckArea(image, a, fd, page);
    close(fd);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace img
