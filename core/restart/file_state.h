// file_state.h - putting regular files back as their FILE_STATE records say, before
// any descriptor is reopened: a file that is gone is recreated (with its saved
// contents, or empty when it was open for writing, as DMTCP does), and saved contents
// overwrite the file found only when the launch allowed it (--allow-file-overwrite).
#ifndef CORE_RESTART_FILE_STATE_H
#define CORE_RESTART_FILE_STATE_H

#include <string>
#include <vector>

#include "core/image/reader.h"

namespace dmtcp {

// What the images say about one path, gathered over every descriptor of it.
struct FileStateSummary {
  bool known = false;  // some record has its FILE_STATE (older images have none)
  const img::FileInfo* saved = nullptr;  // a descriptor whose record holds the contents
  bool overwrite = false;                // those contents replace the file found
  bool writable = false;                 // some descriptor above 2 was open for writing
  uint32_t mode = 0600;
};

enum class FileAction { kLeave, kRecreateEmpty, kRecreateWithContents, kOverwrite };

// The decision alone, for a path that exists or not.
FileAction DecideFileAction(bool exists, const FileStateSummary& summary);

// Gathers the summaries of every regular file in `images` (deleted ones excepted)
// and acts on each; a line on stderr for each file recreated empty or that could not
// be put back.
void PutBackFiles(const std::vector<img::ImageIndex>& images);

}  // namespace dmtcp

#endif  // CORE_RESTART_FILE_STATE_H
