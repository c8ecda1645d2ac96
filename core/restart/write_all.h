// write_all.h - writing a whole buffer to a file or a pipe, across short writes and
// EINTR: the restore plan, the data streamed to the restorers, restored files.
#ifndef CORE_RESTART_WRITE_ALL_H
#define CORE_RESTART_WRITE_ALL_H

#include <stddef.h>

namespace dmtcp {

// False (with errno) if a write failed or wrote nothing (a pipe's reader is gone).
bool WriteAll(int fd, const void* bytes, size_t size);

}  // namespace dmtcp

#endif  // CORE_RESTART_WRITE_ALL_H
