// The restorer to exec for an image whose arch an emulator runs (QEMU user mode through
// binfmt_misc). QEMU keeps an i386 guest's descriptor tables in guest memory, placed
// after the program and its ELF interpreter; the restorer must find them where the
// program had them (core/restorer/emulator_tables.c), so it runs through the program's
// own interpreter: a copy of dmtcp_restorer_interp whose PT_INTERP names it.
#ifndef CORE_RESTART_EMULATED_RESTORER_H
#define CORE_RESTART_EMULATED_RESTORER_H

#include <string>

#include "absl/status/statusor.h"
#include "core/image/reader.h"
#include "core/layout/tool_paths.h"

namespace dmtcp {

// Whether binfmt_misc hands programs of `arch` to an emulator that keeps tables in
// guest memory (qemu-i386).
bool EmulatorKeepsTables(uint32_t arch);

// `files.restorer`, or where none of the above applies, the path of a prepared copy
// of `files.restorer_interp` (cached in $DMTCP_TMPDIR, $TMPDIR or /tmp).
absl::StatusOr<std::string> RestorerFor(const img::ImageIndex& image, const ArchFiles& files);

// The PT_INTERP of the ELF file at `path` (empty if none), and the ELF image `elf`
// with its PT_INTERP replaced by `interp`.
absl::StatusOr<std::string> ElfInterpreter(const std::string& path);
absl::StatusOr<std::string> WithInterpreter(std::string elf, const std::string& interp);

}  // namespace dmtcp

#endif  // CORE_RESTART_EMULATED_RESTORER_H
