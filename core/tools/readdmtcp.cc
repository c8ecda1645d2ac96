// readdmtcp [--json] [--verify] IMAGE
//
// Shows what an image holds: its header, the process, each thread and each memory
// area with its range, protection, kind and how many bytes were stored, compressed or
// left out as zero pages. --verify also decodes all data and checks every checksum.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/common/exit_codes.h"
#include "core/image/arch_names.h"
#include "core/image/reader.h"

namespace dmtcp {
namespace {

struct AreaSummary {
  uint64_t size = 0, stored = 0, compressed = 0, zero = 0;
};

AreaSummary Summarize(const img::AreaInfo& a) {
  AreaSummary s;
  s.size = a.area.end - a.area.start;
  for (const img::ChunkRef& c : a.chunks) {
    s.stored += c.header.raw_len;
    s.compressed += c.header.stored_len;
  }
  s.zero = (a.area.flags & IMG_AREA_NO_DATA) ? 0 : s.size - s.stored;
  return s;
}

AreaSummary Totals(const img::ImageIndex& idx) {
  AreaSummary total;
  for (const img::AreaInfo& a : idx.areas) {
    AreaSummary s = Summarize(a);
    total.size += s.size;
    total.stored += s.stored;
    total.compressed += s.compressed;
    total.zero += s.zero;
  }
  return total;
}

std::string Protection(uint32_t prot) {
  return absl::StrCat(prot & PROT_READ ? "r" : "-", prot & PROT_WRITE ? "w" : "-",
                      prot & PROT_EXEC ? "x" : "-");
}

std::string Kind(const img::AreaInfo& a) {
  const uint32_t f = a.area.flags;
  if (f & IMG_AREA_VDSO) return "vdso";
  if (f & IMG_AREA_VVAR) return "vvar";
  if (f & IMG_AREA_VVAR_VCLOCK) return "vvar_vclock";
  if (f & IMG_AREA_STACK) return "stack";
  if (f & IMG_AREA_HEAP) return "heap";
  if (f & IMG_AREA_SYSV_SHM) return "sysv-shm";
  std::string kind = (f & IMG_AREA_SHARED) ? "shared-" : "private-";
  kind += (f & IMG_AREA_FILE) ? "file" : (f & IMG_AREA_DELETED) ? "deleted-file" : "anon";
  if (f & IMG_AREA_FILE_PAGES) kind += "-changed";  // only changed pages stored
  return kind;
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if ((unsigned char)c < 0x20) {
      out += absl::StrFormat("\\u%04x", c);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string Codec(uint32_t c) { return c == IMG_CODEC_DEFLATE ? "gzip" : "none"; }

void PrintText(const img::ImageIndex& idx) {
  const struct img_header& h = idx.header;
  time_t t = h.time_sec;
  char when[64];
  strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S %Z", localtime(&t));
  printf("Image %s\n", idx.path.c_str());
  printf("  format version %u, arch %s, page size %u, codec %s, %llu bytes\n", h.format_version,
         img::ArchName(h.arch), h.page_size, Codec(h.codec).c_str(),
         (unsigned long long)idx.file_size);
  printf("  program %s (pid %llu, parent %llu) on %s, checkpoint %llu at %s\n", h.prog,
         (unsigned long long)h.pid, (unsigned long long)h.ppid, h.host,
         (unsigned long long)h.ckpt_number, when);
  printf("  executable %s, working directory %s\n", idx.process.exe, idx.process.cwd);
  if (idx.has_computation) {
    printf("  one of %llu processes of computation %s\n",
           (unsigned long long)idx.computation.processes, idx.computation.compid);
  }
  if (!idx.cpu_features.empty()) printf("  CPU features: %s\n", idx.cpu_features.c_str());
  printf("Threads: %zu\n", idx.threads.size());
  for (const struct img_thread& th : idx.threads) {
    printf("  tid %llu%s  %s\n", (unsigned long long)th.tid, th.is_main ? " (main)" : "",
           th.comm);
  }
  printf("Memory areas: %zu\n", idx.areas.size());
  printf("  %-33s %-4s %-18s %12s %12s %12s %12s  %s\n", "range", "prot", "kind", "size", "stored",
         "compressed", "zero", "path");
  for (const img::AreaInfo& a : idx.areas) {
    AreaSummary s = Summarize(a);
    printf("  %016llx-%016llx %-4s %-18s %12llu %12llu %12llu %12llu  %s\n",
           (unsigned long long)a.area.start, (unsigned long long)a.area.end,
           Protection(a.area.prot).c_str(), Kind(a).c_str(), (unsigned long long)s.size,
           (unsigned long long)s.stored, (unsigned long long)s.compressed,
           (unsigned long long)s.zero, a.path.c_str());
  }
  const AreaSummary total = Totals(idx);
  printf("Total: %llu bytes mapped, %llu stored (%llu after compression), %llu zero bytes "
         "not stored\n",
         (unsigned long long)total.size, (unsigned long long)total.stored,
         (unsigned long long)total.compressed, (unsigned long long)total.zero);
}

void PrintJson(const img::ImageIndex& idx) {
  const struct img_header& h = idx.header;
  std::vector<std::string> threads, areas;
  for (const struct img_thread& th : idx.threads) {
    threads.push_back(absl::StrFormat("{\"tid\":%d,\"main\":%s,\"name\":%s}", th.tid,
                                      th.is_main ? "true" : "false", JsonString(th.comm)));
  }
  for (const img::AreaInfo& a : idx.areas) {
    AreaSummary s = Summarize(a);
    areas.push_back(absl::StrFormat(
        "{\"start\":%d,\"end\":%d,\"prot\":\"%s\",\"kind\":\"%s\",\"size\":%d,\"stored\":%d,"
        "\"compressed\":%d,\"zero\":%d,\"chunks\":%d,\"path\":%s}",
        a.area.start, a.area.end, Protection(a.area.prot), Kind(a), s.size, s.stored,
        s.compressed, s.zero, a.chunks.size(), JsonString(a.path)));
  }
  const AreaSummary total = Totals(idx);
  absl::PrintF(
      "{\"path\":%s,\"format_version\":%d,\"arch\":\"%s\",\"page_size\":%d,\"codec\":\"%s\","
      "\"file_size\":%d,\"program\":%s,\"pid\":%d,\"ppid\":%d,\"host\":%s,"
      "\"checkpoint\":%d,\"time\":%d,\"exe\":%s,\"cwd\":%s,\"computation_processes\":%d,"
      "\"cpu_features\":%s,\"threads\":[%s],\"areas\":[%s],"
      "\"total\":{\"size\":%d,\"stored\":%d,\"compressed\":%d,\"zero\":%d}}\n",
      JsonString(idx.path), h.format_version, img::ArchName(h.arch), h.page_size, Codec(h.codec),
      idx.file_size, JsonString(h.prog), h.pid, h.ppid, JsonString(h.host), h.ckpt_number,
      h.time_sec, JsonString(idx.process.exe), JsonString(idx.process.cwd),
      idx.has_computation ? idx.computation.processes : 0, JsonString(idx.cpu_features),
      absl::StrJoin(threads, ","), absl::StrJoin(areas, ","), total.size, total.stored,
      total.compressed, total.zero);
}

absl::Status Verify(const img::ImageIndex& idx) {
  int fd = open(idx.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::NotFoundError(absl::StrCat("cannot open ", idx.path));
  img::ChunkDecoder decoder(fd);
  std::vector<char> buf(IMG_CHUNK_MAX);
  absl::Status s;
  for (const img::AreaInfo& a : idx.areas) {
    for (const img::ChunkRef& c : a.chunks) {
      s = decoder.Decode(c, buf.data());
      if (!s.ok()) {
        s = absl::DataLossError(absl::StrFormat("%s (area %x-%x %s, offset %d)", s.message(),
                                                a.area.start, a.area.end, a.path, c.header.offset));
        break;
      }
    }
    if (!s.ok()) break;
  }
  close(fd);
  return s;
}

}  // namespace
}  // namespace dmtcp

int main(int argc, char** argv) {
  using namespace dmtcp;
  SetProgramName(argv[0]);
  bool json = false, verify = false;
  std::string path;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--json") {
      json = true;
    } else if (a == "--verify") {
      verify = true;
    } else if (a == "--help") {
      printf("Usage: readdmtcp [--json] [--verify] IMAGE\n");
      return 0;
    } else if (!a.empty() && a[0] == '-') {
      Fail(absl::StrCat("unknown option ", a, " (see --help)"));
    } else if (path.empty()) {
      path = a;
    } else {
      Fail("give one image (see --help)");
    }
  }
  if (path.empty()) Fail("no image given (see --help)");
  absl::StatusOr<img::ImageIndex> idx = img::ReadImageIndex(path, {0, 0});
  if (!idx.ok()) Fail(idx.status());
  if (verify) {
    absl::Status s = Verify(*idx);
    if (!s.ok()) Fail(absl::StrCat(path, ": ", s.message()));
  }
  if (json) {
    PrintJson(*idx);
  } else {
    PrintText(*idx);
    if (verify) printf("Verified: every checksum matches.\n");
  }
  return 0;
}
