#include "core/restart/file_state.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "core/common/exit_codes.h"
#include "core/layout/tool_paths.h"
#include "core/restart/write_all.h"

namespace dmtcp {
namespace {

void Warn(const std::string& path, const char* what, int err) {
  fprintf(stderr, "%s: warning: %s %s%s%s\n", ProgramName(), what, path.c_str(), err ? ": " : "",
          err ? strerror(err) : "");
}

// Creates (or truncates) `path` with `mode` exactly (the umask does not apply) and
// writes `contents`; 0 or an errno.
int Fill(const std::string& path, uint32_t mode, const std::string& contents, bool create) {
  if (create) {
    const size_t slash = path.rfind('/');
    if (slash != std::string::npos && slash > 0) MakeDirs(path.substr(0, slash));
  }
  const int fd = open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0),
                      (mode_t)mode);
  if (fd < 0) return errno;
  int err = 0;
  if (create && fchmod(fd, (mode_t)mode) != 0) err = errno;
  if (!WriteAll(fd, contents.data(), contents.size()) && err == 0) err = errno ? errno : EIO;
  close(fd);
  return err;
}

}  // namespace

FileAction DecideFileAction(bool exists, const FileStateSummary& s) {
  // Without FILE_STATE the mode is unknown: a missing file is not restored, and the
  // reopen says so.
  if (!s.known) return FileAction::kLeave;
  if (exists) return s.saved != nullptr && s.overwrite ? FileAction::kOverwrite : FileAction::kLeave;
  if (s.saved != nullptr) return FileAction::kRecreateWithContents;
  return s.writable ? FileAction::kRecreateEmpty : FileAction::kLeave;
}

void PutBackFiles(const std::vector<img::ImageIndex>& images) {
  absl::flat_hash_map<std::string, FileStateSummary> by_path;
  std::vector<std::string> order;  // first seen first, so messages come in image order
  for (const img::ImageIndex& image : images) {
    for (const img::FileInfo& f : image.files) {
      if (f.file.kind != IMG_FILE_REGULAR || absl::EndsWith(f.path, " (deleted)")) continue;
      auto [it, added] = by_path.try_emplace(f.path);
      if (added) order.push_back(f.path);
      FileStateSummary& s = it->second;
      // On 0-2 a missing file leaves dmtcp_restart's own descriptor in its place
      // (kinds/files.cc): only the program's own descriptors recreate it.
      s.writable |= (f.file.flags & O_ACCMODE) != O_RDONLY && f.file.fd > 2;
      if (!f.has_state) continue;
      s.known = true;
      s.mode = f.state.mode;
      if ((f.state.flags & IMG_FILE_CONTENTS) && s.saved == nullptr) {
        s.saved = &f;
        s.overwrite = (f.state.flags & IMG_FILE_OVERWRITE) != 0;
      }
    }
  }
  for (const std::string& path : order) {
    const FileStateSummary& s = by_path[path];
    struct stat st;
    const bool exists = stat(path.c_str(), &st) == 0;
    int err = 0;
    switch (DecideFileAction(exists, s)) {
      case FileAction::kLeave:
        break;
      case FileAction::kRecreateEmpty:
        err = Fill(path, s.mode, "", true);
        Warn(path, err ? "cannot recreate the missing file" : "recreated (empty) the missing file", err);
        break;
      case FileAction::kRecreateWithContents:
        err = Fill(path, s.mode, s.saved->contents, true);
        if (err) Warn(path, "cannot recreate the saved file", err);
        break;
      case FileAction::kOverwrite:
        err = Fill(path, s.mode, s.saved->contents, false);
        if (err) Warn(path, "cannot overwrite with its saved contents the file", err);
        break;
    }
  }
}

}  // namespace dmtcp
