// Which memory goes into an image, and how it is read.
//
//  - The vDSO and its data pages are recorded but not stored: the restorer moves the
//    new kernel's copy to the same place. [vsyscall] is fixed and skipped.
//  - Private anonymous memory: /proc/self/pagemap tells which pages exist (present or
//    swapped); pages never touched are not read at all.
//  - Private read-only views of files (programs' and libraries' code and constants): a
//    page the process never changed is the file's own and is not stored; the area
//    carries a checksum of those pages instead, which dmtcp_restart checks against the
//    file before mapping it again (DMTCP_ALL_PAGES=1 stores them all, for restarting
//    where the files differ). Needs pagemap; without it every page is stored.
//  - Other file-backed and shared memory: read through process_vm_readv(), which
//    reports a page past the end of a truncated file as an error instead of SIGBUS.
//  - Pages that hold only zeros are never stored (they come back as fresh zero pages).
//  - Memory the application made unreadable is opened for reading only while it is
//    read, when pagemap shows it holds anything.
//  - The checkpoint thread's own stack and the runtime's data change while the image
//    is written (a chunk's checksum would not match its bytes): they are copied first.
#include "core/runtime/memory.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/common/maps_line.h"
#include "core/common/raw_syscalls.h"
#include "core/image/checksum.h"
#include "core/runtime/checkpoint.h"
#include "core/runtime/config.h"
#include "core/runtime/log.h"
#include "core/runtime/progress.h"

namespace rt {
namespace {

enum class ReadMode { kNone, kPagemap, kCopy, kFilePages };

struct AreaPlan {
  struct img_area area;
  const char* path;
  ReadMode mode;
};

bool EndsWith(const char* s, uint32_t len, const char* suffix) {
  uint32_t n = (uint32_t)strlen(suffix);
  return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

bool StartsWith(const char* s, uint32_t len, const char* prefix) {
  uint32_t n = (uint32_t)strlen(prefix);
  return len >= n && memcmp(s, prefix, n) == 0;
}

// Decides what to record and how to read it. Returns false to skip the mapping.
bool Classify(const struct maps_line& m, AreaPlan* plan) {
  struct img_area& a = plan->area;
  memset(&a, 0, sizeof a);
  a.start = m.start;
  a.end = m.end;
  a.file_offset = m.offset;
  a.dev = ((uint64_t)m.dev_major << 32) | m.dev_minor;
  a.inode = m.inode;
  a.prot = (m.r == 'r' ? PROT_READ : 0) | (m.w == 'w' ? PROT_WRITE : 0) |
           (m.x == 'x' ? PROT_EXEC : 0);
  a.path_len = m.path_len;
  plan->path = m.path;
  const bool shared = m.p == 's';
  if (shared) a.flags |= IMG_AREA_SHARED;

  if (maps_path_is(&m, "[vsyscall]")) return false;
  if (maps_path_is(&m, "[vdso]") || maps_path_is(&m, "[vvar]") ||
      maps_path_is(&m, "[vvar_vclock]")) {
    a.flags |= IMG_AREA_NO_DATA | (maps_path_is(&m, "[vdso]")   ? IMG_AREA_VDSO
                                   : maps_path_is(&m, "[vvar]") ? IMG_AREA_VVAR
                                                                : IMG_AREA_VVAR_VCLOCK);
    plan->mode = ReadMode::kNone;
    return true;
  }
  if (maps_path_is(&m, "[stack]")) a.flags |= IMG_AREA_STACK | IMG_AREA_GROWSDOWN;
  if (maps_path_is(&m, "[heap]")) a.flags |= IMG_AREA_HEAP;
  const bool deleted = EndsWith(m.path, m.path_len, " (deleted)");
  if (deleted) a.flags |= IMG_AREA_DELETED;
  if (StartsWith(m.path, m.path_len, "/SYSV")) a.flags |= IMG_AREA_SYSV_SHM;
  // A named file we can map again; shared anonymous memory shows as "/dev/zero
  // (deleted)" and memfds as "/memfd:... (deleted)": those are not files to reopen.
  const bool file = m.inode != 0 && m.path_len > 0 && m.path[0] == '/' && !deleted;
  if (file) a.flags |= IMG_AREA_FILE;

  if (shared && file && !(a.prot & PROT_WRITE)) {
    // Read-only view of a file: the file itself holds the contents.
    a.flags |= IMG_AREA_NO_DATA;
    plan->mode = ReadMode::kNone;
  } else if (!shared && file && (a.prot & PROT_READ) && !(a.prot & PROT_WRITE)) {
    plan->mode = ReadMode::kFilePages;
  } else if (!shared && !file && (a.prot & PROT_READ)) {
    plan->mode = ReadMode::kPagemap;
  } else if (!(a.prot & PROT_READ)) {
    plan->mode = ReadMode::kPagemap;  // only pages that exist, opened for reading
  } else {
    plan->mode = ReadMode::kCopy;
  }
  return true;
}

bool PageIsZero(const char* p, uint64_t size) {
  const uint64_t* w = reinterpret_cast<const uint64_t*>(p);
  if (w[0] | w[size / 8 - 1]) return false;
  uint64_t acc = 0;
  for (uint64_t i = 0; i < size / 8; i += 8) {
    acc |= w[i] | w[i + 1] | w[i + 2] | w[i + 3] | w[i + 4] | w[i + 5] | w[i + 6] | w[i + 7];
    if (acc) return false;
  }
  return true;
}

// Collects runs of non-zero pages into chunks of at most IMG_CHUNK_MAX bytes.
class ChunkBuilder {
 public:
  ChunkBuilder(img::ImageWriter* w, uint64_t area_start) : w_(w), area_start_(area_start) {}

  // `page` (readable at `data`) holds data at address `addr`.
  int AddPage(uint64_t addr, const char* data, uint64_t size) {
    if (len_ > 0 && (addr != run_addr_ + len_ || data != run_data_ + len_ ||
                     len_ + size > IMG_CHUNK_MAX)) {
      int rc = Flush();
      if (rc < 0) return rc;
    }
    if (len_ == 0) {
      run_addr_ = addr;
      run_data_ = data;
    }
    len_ += size;
    return 0;
  }

  int Flush() {
    if (len_ == 0) return 0;
    int rc = w_->WriteChunk(run_addr_ - area_start_, run_data_, (uint32_t)len_);
    len_ = 0;
    return rc;
  }

 private:
  img::ImageWriter* w_;
  uint64_t area_start_;
  uint64_t run_addr_ = 0;
  const char* run_data_ = nullptr;
  uint64_t len_ = 0;
};

int ReadPagemapFrom(int pagemap_fd, uint64_t addr, uint64_t pages, uint64_t page,
                    uint64_t* out) {
  uint64_t want = pages * sizeof(uint64_t);
  long n = sys::pread(pagemap_fd, out, want, (addr / page) * sizeof(uint64_t));
  if (n < 0) return (int)n;
  if ((uint64_t)n < want) memset((char*)out + n, 0, want - (uint64_t)n);
  return 0;
}

// Calls fn(addr, entry) for each page of `a` with its pagemap entry (read in batches;
// "present" for every page if pagemap_fd is -1), and advances `progress` batch by batch.
// Stops at the first non-zero value fn returns (an error, or positive: done), and
// returns it.
template <typename Fn>
int ForEachPage(MemoryScratch* s, int pagemap_fd, const struct img_area& a, uint64_t page,
                Progress* progress, Fn fn) {
  for (uint64_t addr = a.start; addr < a.end;) {
    uint64_t pages = (a.end - addr) / page;
    if (pages > kPagemapBatch) pages = kPagemapBatch;
    int rc = pagemap_fd < 0 ? 0 : ReadPagemapFrom(pagemap_fd, addr, pages, page, s->pagemap);
    if (rc < 0) return rc;
    for (uint64_t i = 0; i < pages; i++, addr += page) {
      rc = fn(addr, pagemap_fd < 0 ? 1ULL << 63 : s->pagemap[i]);
      if (rc != 0) return rc;
    }
    if (progress != nullptr) progress->Advance(pages * page);
  }
  return 0;
}

// pagemap is indexed by the kernel's addresses. Under an emulator (QEMU user mode with
// a guest base) those are not the program's, and pagemap would report wrong pages:
// check it on one page we touch and one we do not. Without it, every page is read.
bool PagemapWorks(int pagemap_fd, uint64_t page) {
  char* probe = static_cast<char*>(
      sys::mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (sys::failed(probe)) return false;
  *static_cast<volatile char*>(probe) = 1;
  uint64_t e[2] = {0, 0};
  bool ok = sys::pread(pagemap_fd, e, sizeof e, ((uint64_t)(uintptr_t)probe / page) * 8) ==
                (long)sizeof e &&
            (e[0] >> 63 & 1) && !(e[1] >> 63 & 1);
  sys::munmap(probe, 2 * page);
  return ok;
}

// Stores the pages pagemap shows as present or swapped (every page if pagemap_fd is
// -1), reading them in place.
int StoreByPagemap(img::ImageWriter* w, MemoryScratch* s, int pagemap_fd, const AreaPlan& p,
                   uint64_t page, Progress* progress) {
  const struct img_area& a = p.area;
  bool opened = false;
  ChunkBuilder chunks(w, a.start);
  int rc = ForEachPage(s, pagemap_fd, a, page, progress, [&](uint64_t addr, uint64_t e) {
    if (!(e >> 63 & 1) && !(e >> 62 & 1)) return 0;  // never touched
    if (!(a.prot & PROT_READ) && !opened) {
      // Only threads frozen by us could notice, and they are frozen.
      if (sys::mprotect((void*)a.start, a.end - a.start, a.prot | PROT_READ) < 0) {
        Warn("cannot read %lx-%lx: its contents are not saved", (unsigned long)a.start,
             (unsigned long)a.end);
        return 1;  // nothing more to read here
      }
      opened = true;
    }
    const char* data = reinterpret_cast<const char*>(addr);
    return PageIsZero(data, page) ? 0 : chunks.AddPage(addr, data, page);
  });
  if (rc > 0) return 0;
  if (rc == 0) rc = chunks.Flush();
  if (opened) sys::mprotect((void*)a.start, a.end - a.start, a.prot);
  return rc;
}

// A page of a private file mapping that the process changed (copied on write, or
// swapped out, which only changed pages can be); the others are the file's.
bool PageChanged(uint64_t pagemap_entry) {
  const bool present = pagemap_entry >> 63 & 1, swapped = pagemap_entry >> 62 & 1,
             file_page = pagemap_entry >> 61 & 1;
  return (present && !file_page) || swapped;
}

long CopyOut(uint64_t addr, char* to, uint64_t len, bool vm_readv);

// The checksum of an area's unchanged pages, chained page by page in address order
// (format.h, img_area.file_check). They are read in runs through CopyOut, which stops
// at the file's end: what lies past it counts as zeros, as the kernel shows it.
int ChecksumUnchangedPages(MemoryScratch* s, int pagemap_fd, const struct img_area& a,
                           uint64_t page, uint64_t* check) {
  *check = 0;
  uint64_t run_start = 0, run_len = 0;
  auto flush = [&]() {
    if (run_len == 0) return;
    long n = CopyOut(run_start, s->bounce, run_len, s->vm_readv_works);
    const uint64_t got = n > 0 ? (uint64_t)n : 0;
    if (got < run_len) memset(s->bounce + got, 0, run_len - got);
    for (uint64_t off = 0; off < run_len; off += page) {
      *check = img_checksum(s->bounce + off, page, *check);
    }
    run_len = 0;
  };
  int rc = ForEachPage(s, pagemap_fd, a, page, nullptr, [&](uint64_t addr, uint64_t e) {
    if (PageChanged(e)) return 0;
    if (run_len > 0 && (addr != run_start + run_len || run_len + page > IMG_CHUNK_MAX)) flush();
    if (run_len == 0) run_start = addr;
    run_len += page;
    return 0;
  });
  flush();
  return rc;
}

// Stores the pages the process changed, zeros included (the file shows through the rest).
int StoreChangedPages(img::ImageWriter* w, MemoryScratch* s, int pagemap_fd,
                      const struct img_area& a, uint64_t page, Progress* progress) {
  ChunkBuilder chunks(w, a.start);
  int rc = ForEachPage(s, pagemap_fd, a, page, progress, [&](uint64_t addr, uint64_t e) {
    return PageChanged(e) ? chunks.AddPage(addr, reinterpret_cast<const char*>(addr), page) : 0;
  });
  return rc == 0 ? chunks.Flush() : rc;
}

// process_vm_readv works on the kernel's addresses; under an emulator with a guest
// base they are not the program's. Check it on a buffer of our own.
bool ProcessVmReadvWorks(char* scratch) {
  static const char probe[16] = "process_vm_read";
  struct iovec local = {scratch, sizeof probe};
  struct iovec remote = {const_cast<char*>(probe), sizeof probe};
  return sys::process_vm_readv(sys::getpid(), &local, 1, &remote, 1) == (long)sizeof probe &&
         memcmp(scratch, probe, sizeof probe) == 0;
}

// Copies `len` bytes at `addr` into `to`; returns how many could be read. Through
// process_vm_readv, which fails softly on pages that cannot be read (a file truncated
// under its mapping), or, where that call does not work, by plain copy.
long CopyOut(uint64_t addr, char* to, uint64_t len, bool vm_readv) {
  if (!vm_readv) {
    memcpy(to, (const void*)(uintptr_t)addr, len);
    return (long)len;
  }
  struct iovec local = {to, (size_t)len};
  struct iovec remote = {(void*)(uintptr_t)addr, (size_t)len};
  return sys::process_vm_readv(sys::getpid(), &local, 1, &remote, 1);
}

// Stores every non-zero page, copied out first (see CopyOut).
int StoreByCopy(img::ImageWriter* w, MemoryScratch* s, const AreaPlan& p, uint64_t page,
                Progress* progress) {
  const struct img_area& a = p.area;
  for (uint64_t addr = a.start; addr < a.end;) {
    uint64_t len = a.end - addr;
    if (len > IMG_CHUNK_MAX) len = IMG_CHUNK_MAX;
    long n = CopyOut(addr, s->bounce, len, s->vm_readv_works);
    if (n <= 0) {
      Trace("%lx-%lx: %lu bytes past %lx are unreadable and not saved", (unsigned long)a.start,
            (unsigned long)a.end, (unsigned long)(a.end - addr), (unsigned long)addr);
      return 0;
    }
    uint64_t got = (uint64_t)n & ~(page - 1);
    if (got == 0) return 0;
    ChunkBuilder chunks(w, a.start);
    for (uint64_t off = 0; off < got; off += page) {
      if (PageIsZero(s->bounce + off, page)) continue;
      int rc = chunks.AddPage(addr + off, s->bounce + off, page);
      if (rc < 0) return rc;
    }
    int rc = chunks.Flush();  // the bounce buffer is reused next round
    if (rc < 0) return rc;
    progress->Advance(got);
    addr += got;
    if (got < len) return 0;  // the rest is unreadable
  }
  return 0;
}

int g_writing;  // a variable in the runtime's .bss, to find that area

// Areas the writing itself modifies: this thread's stack and the runtime's data.
bool ChangesWhileWriting(uint64_t start, uint64_t end) {
  int here = 0;
  const uintptr_t probes[] = {(uintptr_t)&here, (uintptr_t)&g_writing,
                              (uintptr_t)&g_config, (uintptr_t)&g_restart_block,
                              (uintptr_t)&g_process_state};
  for (uintptr_t p : probes) {
    if (p >= start && p < end) return true;
  }
  return false;
}

int WriteArea(img::ImageWriter* w, MemoryScratch* s, int pagemap, const AreaPlan& p,
              const char* path, uint64_t page, Progress* progress) {
  if (p.mode == ReadMode::kFilePages) {
    struct img_area a = p.area;
    a.flags |= IMG_AREA_FILE_PAGES;
    int rc = ChecksumUnchangedPages(s, pagemap, a, page, &a.file_check);
    if (rc == 0) rc = w->WriteAreaRecord(&a, path);
    if (rc == 0) rc = StoreChangedPages(w, s, pagemap, a, page, progress);
    return rc == 0 ? w->EndArea() : rc;
  }
  int rc = w->WriteAreaRecord(&p.area, path);
  // Without pagemap we cannot tell which pages of an unreadable area hold anything; such
  // areas are reservations and guard gaps (of files, where reading past the end would
  // fault), so they are recorded without data.
  const bool blind = pagemap < 0 && !(p.area.prot & PROT_READ);
  if (rc == 0 && p.mode == ReadMode::kPagemap && !blind) {
    rc = StoreByPagemap(w, s, pagemap, p, page, progress);
  }
  if (rc == 0 && p.mode == ReadMode::kCopy) rc = StoreByCopy(w, s, p, page, progress);
  return rc == 0 ? w->EndArea() : rc;
}

size_t ReadMaps(MemoryScratch* s) {
  long fd = sys::open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  size_t len = 0;
  for (;;) {
    long n = sys::read(fd, s->maps + len, s->maps_size - 1 - len);
    if (n <= 0) break;
    len += (size_t)n;
    if (len >= s->maps_size - 1) {
      len = 0;  // too small: the caller retries with more
      break;
    }
  }
  sys::close(fd);
  return len;
}

}  // namespace

int WriteMemoryAreas(img::ImageWriter* w, MemoryScratch* s) {
  const uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
  const size_t len = ReadMaps(s);
  if (len == 0) return -E2BIG;
  long pagemap = sys::open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  s->vm_readv_works = ProcessVmReadvWorks(s->bounce);
  if (!s->vm_readv_works) Trace("process_vm_readv does not reach this program's memory; copying directly");
  if (pagemap >= 0 && !PagemapWorks((int)pagemap, page)) {
    Trace("/proc/self/pagemap does not describe this program's memory; reading every page");
    sys::close((int)pagemap);
    pagemap = -1;
  }

  // First pass: how much will be read, for the progress line.
  uint64_t total = 0;
  for (const char* line = s->maps; line < s->maps + len;) {
    const char* end = line;
    while (end < s->maps + len && *end != '\n') end++;
    struct maps_line m;
    AreaPlan p;
    if (maps_parse_line(line, end, &m) == 0 && Classify(m, &p) && p.mode != ReadMode::kNone &&
        !(m.start >= s->skip_start && m.end <= s->skip_end)) {
      total += m.end - m.start;
    }
    line = end + 1;
  }
  Progress progress("checkpoint", total);

  int rc = 0;
  for (const char* line = s->maps; line < s->maps + len && rc == 0;) {
    const char* end = line;
    while (end < s->maps + len && *end != '\n') end++;
    struct maps_line m;
    AreaPlan p;
    bool ok = maps_parse_line(line, end, &m) == 0;
    line = end + 1;
    if (!ok || !Classify(m, &p)) continue;
    // Telling changed pages from the file's needs pagemap (and our view of memory).
    if (p.mode == ReadMode::kFilePages && (pagemap < 0 || !s->vm_readv_works || g_config.all_pages)) {
      p.mode = ReadMode::kCopy;
    }
    if (p.mode == ReadMode::kPagemap && (p.area.prot & PROT_READ) &&
        ChangesWhileWriting(m.start, m.end)) {
      p.mode = ReadMode::kCopy;
    }
    char path[IMG_PATH_MAX];
    uint32_t path_len = p.area.path_len < sizeof path - 1 ? p.area.path_len : sizeof path - 1;
    memcpy(path, p.path, path_len);
    p.area.path_len = path_len;
    // The kernel may have merged our scratch region with a neighbour: save the parts
    // of the mapping outside it, as separate areas.
    const uint64_t pieces[2][2] = {{m.start, m.end < s->skip_start ? m.end : s->skip_start},
                                   {m.start > s->skip_end ? m.start : s->skip_end, m.end}};
    for (const auto& piece : pieces) {
      if (piece[0] >= piece[1] || rc != 0) continue;
      AreaPlan part = p;
      part.area.start = piece[0];
      part.area.end = piece[1];
      part.area.file_offset = m.offset + (piece[0] - m.start);
      rc = WriteArea(w, s, (int)pagemap, part, path, page, &progress);
    }
  }
  progress.Done();
  if (pagemap >= 0) sys::close((int)pagemap);
  return rc;
}

}  // namespace rt
