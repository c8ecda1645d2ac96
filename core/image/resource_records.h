// resource_records.h - the records of the resources a process held (pipes, sockets,
// files, ...), parsed and checked by one function per kind, found by record tag.
//
// The reader handles the records every image has (process, threads, memory, end) and
// hands every other record to its kind here; a tag no kind knows is a record a newer
// minor writer added and is skipped. A new kind of resource adds its struct to
// format.h, its vector to ImageIndex and one parse function with its line in the
// table (resource_records.cc).
#ifndef CORE_IMAGE_RESOURCE_RECORDS_H
#define CORE_IMAGE_RESOURCE_RECORDS_H

#include <stdint.h>

#include <string_view>

#include "core/image/reader.h"

namespace img {

struct RecordKind {
  uint32_t tag;
  const char* what;  // as in "bad <what> record"
  // Adds the record to `idx`; false if it is malformed (the image is then corrupted).
  bool (*parse)(std::string_view payload, ImageIndex& idx);
};

// The kind of a record tag, or null.
const RecordKind* FindRecordKind(uint32_t tag);

}  // namespace img

#endif  // CORE_IMAGE_RESOURCE_RECORDS_H
