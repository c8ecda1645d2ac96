// fd_table.h - the process's open descriptors, listed once per checkpoint for every
// plugin that restores a kind of them (files, pipes, ...). After a restart each plugin
// marks what it restored, and the runtime names every descriptor nobody restored. Which
// plugin a descriptor belongs to is the plugins' own claim (hooks.h: Plugin::claims).
#ifndef CORE_RUNTIME_FD_TABLE_H
#define CORE_RUNTIME_FD_TABLE_H

#include "core/image/format.h"

namespace rt {

enum class FdKind { kFile, kDirectory, kDevice, kTerminal, kPipe, kFifo, kSocket, kMqueue, kOther };

struct FdEntry;
// A plugin's claim on descriptors: whether it saves and restores `e` (hooks.h).
using ClaimsFn = bool (*)(const FdEntry& e);

struct FdEntry {
  int fd;
  FdKind kind;
  int flags;         // open flags from /proc/self/fdinfo (O_APPEND, O_NONBLOCK, ...)
  int cloexec;
  long long pos;
  unsigned long long inode;  // for pipes and sockets: "pipe:[inode]"
  ClaimsFn owner;    // the claim of the plugin it belongs to (ClaimFds), or null
  int saved;         // set at checkpoint by the plugin that saved it
  int restored;      // set by the plugin that brought it back
  char path[IMG_PATH_MAX];   // readlink of /proc/self/fd/N
};

// Lists the descriptors below the runtime's own. Memory comes from mmap once and is
// part of the image, so the table is there again after a restart.
void ScanFds();
int FdCount();
FdEntry* FdAt(int i);

// The descriptors of one owner, for a plugin's loops:
//   for (FdEntry* e : OwnedFds(Claims)) ...
int NextOwnedFd(ClaimsFn owner, int from);  // the first index >= from it owns, or FdCount()
class OwnedFds {
 public:
  explicit OwnedFds(ClaimsFn owner) : owner_(owner) {}
  class Iterator {
   public:
    Iterator(ClaimsFn owner, int i) : owner_(owner), i_(i) {}
    FdEntry* operator*() const { return FdAt(i_); }
    Iterator& operator++() {
      i_ = NextOwnedFd(owner_, i_ + 1);
      return *this;
    }
    bool operator!=(const Iterator& other) const { return i_ != other.i_; }

   private:
    ClaimsFn owner_;
    int i_;
  };
  Iterator begin() const { return Iterator(owner_, NextOwnedFd(owner_, 0)); }
  Iterator end() const { return Iterator(owner_, FdCount()); }

 private:
  ClaimsFn owner_;
};

// After the plugins' checkpoint hooks: one warning per descriptor no plugin saved
// (none claimed it, or its plugin could not), so
// the user knows at checkpoint time what a restart will not bring back.
void WarnUnsavedFds();

// After the plugins' restart hooks: each claimed descriptor that dmtcp_restart gave
// back (one of its kind is open at its number) and that its plugin did not restore
// itself gets its status flags (O_NONBLOCK, O_APPEND, ...) and close-on-exec flag
// back, and counts as restored.
void RestoreGivenFds();

// Then one warning per descriptor left unrestored
// (stdin, stdout and stderr of a kind not restorable are dmtcp_restart's own).
void WarnUnrestoredFds();

// Puts `fd` (a fresh descriptor) at number `target`, with `entry`'s close-on-exec
// flag; closes `fd` if it moved. Returns 0 or -errno.
int MoveFd(int fd, const FdEntry& entry);

}  // namespace rt

#endif  // CORE_RUNTIME_FD_TABLE_H
