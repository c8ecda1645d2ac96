#include "core/restart/emulated_restorer.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_format.h"
#include "arch/arch.h"
#include "core/common/emulation.h"
#include "core/image/checksum.h"
#include "core/layout/scratch_dir.h"

namespace dmtcp {
namespace {

absl::StatusOr<std::string> ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrFormat("cannot read %s: %s", path, strerror(errno)));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Where PT_INTERP's string is in `elf`: {offset, size}, or {0, 0} if there is none.
template <typename Ehdr, typename Phdr>
absl::StatusOr<std::pair<size_t, size_t>> InterpSpan(const std::string& elf) {
  Ehdr eh;
  if (elf.size() < sizeof eh) return absl::InvalidArgumentError("not an ELF file");
  memcpy(&eh, elf.data(), sizeof eh);
  for (size_t i = 0; i < eh.e_phnum; i++) {
    Phdr ph;
    const size_t at = eh.e_phoff + i * eh.e_phentsize;
    if (eh.e_phentsize < sizeof ph || at + sizeof ph > elf.size()) {
      return absl::InvalidArgumentError("truncated ELF program headers");
    }
    memcpy(&ph, elf.data() + at, sizeof ph);
    if (ph.p_type != PT_INTERP) continue;
    if (ph.p_offset + ph.p_filesz > elf.size() || ph.p_filesz == 0) {
      return absl::InvalidArgumentError("bad PT_INTERP");
    }
    return std::make_pair(static_cast<size_t>(ph.p_offset), static_cast<size_t>(ph.p_filesz));
  }
  return std::make_pair(size_t{0}, size_t{0});
}

absl::StatusOr<std::pair<size_t, size_t>> FindInterp(const std::string& elf) {
  if (elf.size() < EI_NIDENT || memcmp(elf.data(), ELFMAG, SELFMAG) != 0) {
    return absl::InvalidArgumentError("not an ELF file");
  }
  return elf[EI_CLASS] == ELFCLASS32 ? InterpSpan<Elf32_Ehdr, Elf32_Phdr>(elf)
                                      : InterpSpan<Elf64_Ehdr, Elf64_Phdr>(elf);
}

// The program's interpreter: from its executable, or else the loader it had mapped.
absl::StatusOr<std::string> ProgramInterpreter(const img::ImageIndex& image) {
  absl::StatusOr<std::string> from_exe = ElfInterpreter(image.process.exe);
  if (from_exe.ok() && !from_exe->empty()) return from_exe;
  for (const img::AreaInfo& a : image.areas) {
    const size_t slash = a.path.rfind('/');
    if (a.path.compare(slash + 1, 3, "ld-") == 0) return a.path;
  }
  return absl::FailedPreconditionError(absl::StrFormat(
      "%s: under QEMU the restorer must run through the program's ELF interpreter, and "
      "neither %s nor the image names one",
      image.path, image.process.exe));
}

}  // namespace

bool EmulatorKeepsTables(uint32_t arch) {
  if (arch != ARCH_ID_I386) return false;
  // An emulated dmtcp_restart of that arch knows from within (a sandbox may hide
  // binfmt_misc); one of another arch asks binfmt_misc.
  if (arch == ARCH_ID) return ThisProcessIsEmulated();
  std::ifstream in("/proc/sys/fs/binfmt_misc/qemu-i386");
  std::string first;
  return std::getline(in, first) && first == "enabled";
}

absl::StatusOr<std::string> ElfInterpreter(const std::string& path) {
  absl::StatusOr<std::string> elf = ReadWhole(path);
  if (!elf.ok()) return elf.status();
  absl::StatusOr<std::pair<size_t, size_t>> span = FindInterp(*elf);
  if (!span.ok()) return span.status();
  if (span->second == 0) return std::string();
  return std::string(elf->c_str() + span->first);  // NUL-terminated within the span
}

absl::StatusOr<std::string> WithInterpreter(std::string elf, const std::string& interp) {
  absl::StatusOr<std::pair<size_t, size_t>> span = FindInterp(elf);
  if (!span.ok()) return span.status();
  if (span->second == 0) return absl::InvalidArgumentError("the restorer has no PT_INTERP");
  if (interp.size() + 1 > span->second) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "the interpreter path %s is longer than the %d bytes the restorer has room for",
        interp, span->second - 1));
  }
  elf.replace(span->first, span->second, span->second, '\0');
  elf.replace(span->first, interp.size(), interp);
  return elf;
}

absl::StatusOr<std::string> RestorerFor(const img::ImageIndex& image, const ArchFiles& files) {
  if (!EmulatorKeepsTables(image.header.arch)) return files.restorer;
  if (files.restorer_interp.empty()) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "%s: this %s image runs under QEMU here (no native support for it in this kernel), "
        "which needs dmtcp_restorer_interp beside dmtcp_restorer; it is not installed",
        image.path, "i386"));
  }
  absl::StatusOr<std::string> interp = ProgramInterpreter(image);
  if (!interp.ok()) return interp.status();
  absl::StatusOr<std::string> restorer = ReadWhole(files.restorer_interp);
  if (!restorer.ok()) return restorer.status();
  absl::StatusOr<std::string> patched = WithInterpreter(*restorer, *interp);
  if (!patched.ok()) {
    return absl::FailedPreconditionError(absl::StrFormat("%s: %s", image.path, patched.status().message()));
  }
  // One copy per interpreter and restorer build, made once and reused.
  const std::string dir = absl::StrFormat("%s/dmtcp-restorer-%d", ScratchDir(), getuid());
  const std::string path = absl::StrFormat("%s/%016x", dir, img_checksum(patched->data(), patched->size(), 0));
  if (access(path.c_str(), X_OK) == 0) return path;
  mkdir(dir.c_str(), 0700);
  struct stat st;
  if (lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid()) {
    return absl::PermissionDeniedError(absl::StrFormat("%s is not a folder of ours", dir));
  }
  const std::string tmp = absl::StrFormat("%s.%d", path, getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0700);
  if (fd < 0) return absl::InternalError(absl::StrFormat("cannot write %s: %s", tmp, strerror(errno)));
  const bool written = write(fd, patched->data(), patched->size()) == static_cast<ssize_t>(patched->size());
  close(fd);
  if (!written || rename(tmp.c_str(), path.c_str()) != 0) {
    unlink(tmp.c_str());
    return absl::InternalError(absl::StrFormat("cannot write %s: %s", path, strerror(errno)));
  }
  return path;
}

}  // namespace dmtcp
