// port_file.h - how a coordinator started on port 0 tells its starter the real port:
// it writes the number to a file before accepting anyone.
#ifndef CORE_COORDINATOR_PORT_FILE_H
#define CORE_COORDINATOR_PORT_FILE_H

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace dmtcp::coordinator {

// Writes "<port>\n" to `path` atomically (temp file + rename), so a reader never
// sees a half-written number.
absl::Status WritePortFile(const std::string& path, int port);

// The port in a file written by WritePortFile.
absl::StatusOr<int> ReadPortFile(const std::string& path);

}  // namespace dmtcp::coordinator

#endif  // CORE_COORDINATOR_PORT_FILE_H
