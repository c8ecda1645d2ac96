// fd_table.h - the process's open descriptors, listed once per checkpoint for every
// plugin that restores a kind of them (files, pipes, ...). After a restart each plugin
// marks what it restored, and the runtime names every descriptor nobody restored.
#ifndef CORE_RUNTIME_FD_TABLE_H
#define CORE_RUNTIME_FD_TABLE_H

#include "core/image/format.h"

namespace rt {

enum class FdKind { kFile, kDirectory, kDevice, kTerminal, kPipe, kFifo, kSocket, kMqueue, kOther };

struct FdEntry {
  int fd;
  FdKind kind;
  int flags;         // open flags from /proc/self/fdinfo (O_APPEND, O_NONBLOCK, ...)
  int cloexec;
  long long pos;
  unsigned long long inode;  // for pipes and sockets: "pipe:[inode]"
  int claimed;       // set at checkpoint by the plugin that saves it
  int restored;      // set by the plugin that brought it back
  char path[IMG_PATH_MAX];   // readlink of /proc/self/fd/N
};

// Lists the descriptors below the runtime's own. Memory comes from mmap once and is
// part of the image, so the table is there again after a restart.
void ScanFds();
int FdCount();
FdEntry* FdAt(int i);

// After the plugins' checkpoint hooks: one warning per descriptor no plugin saved, so
// the user knows at checkpoint time what a restart will not bring back.
void WarnUnsavedFds();

// After the plugins' restart hooks: one warning per descriptor left unrestored
// (stdin, stdout and stderr of a kind not restorable are dmtcp_restart's own).
void WarnUnrestoredFds();

// Puts `fd` (a fresh descriptor) at number `target`, with `entry`'s close-on-exec
// flag; closes `fd` if it moved. Returns 0 or -errno.
int MoveFd(int fd, const FdEntry& entry);

}  // namespace rt

#endif  // CORE_RUNTIME_FD_TABLE_H
