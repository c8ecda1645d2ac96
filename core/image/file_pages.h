// file_pages.h - checking, before a restart, that the files whose unchanged pages an
// image left out (IMG_AREA_FILE_PAGES) still hold those very bytes.
#ifndef CORE_IMAGE_FILE_PAGES_H
#define CORE_IMAGE_FILE_PAGES_H

#include "absl/status/status.h"
#include "core/image/reader.h"

namespace img {

// OK if every IMG_AREA_FILE_PAGES area of `image` can be mapped from its file again:
// the file opens and its bytes for the pages not stored match the area's checksum.
// Otherwise a FailedPrecondition naming the file and what to do.
absl::Status CheckFilePages(const ImageIndex& image);

}  // namespace img

#endif  // CORE_IMAGE_FILE_PAGES_H
