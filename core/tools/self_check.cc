#include "core/tools/self_check.h"

#include <fcntl.h>
#include <linux/prctl.h>
#include <linux/sched.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

extern "C" {
extern const unsigned int __rseq_size __attribute__((weak));
}

namespace dmtcp {
namespace {

int missing_essential = 0;

void Report(bool ok, bool essential, const std::string& what, const std::string& detail) {
  const char* verdict = ok ? "ok     " : essential ? "MISSING" : "absent ";
  printf("  %s  %-34s %s\n", verdict, what.c_str(), detail.c_str());
  if (!ok && essential) missing_essential++;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool HasCapability(int bit) {
  std::string status = ReadFile("/proc/self/status");
  size_t at = status.find("CapEff:");
  if (at == std::string::npos) return false;
  unsigned long long caps = strtoull(status.c_str() + at + 7, nullptr, 16);
  return (caps >> bit) & 1;
}

}  // namespace

bool RunSelfCheck() {
  struct utsname u;
  uname(&u);
  printf("dmtcp_launch --check: kernel %s %s\n", u.release, u.machine);

  int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  Report(fd >= 0, true, "/proc/self/maps", fd >= 0 ? "readable" : "is /proc mounted?");
  if (fd >= 0) close(fd);

  fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  uint64_t entry = 0;
  bool pagemap = fd >= 0 && pread(fd, &entry, 8, ((uintptr_t)&entry / getpagesize()) * 8) == 8;
  Report(pagemap, true, "/proc/self/pagemap", pagemap ? "untouched pages are skipped" : "cannot read");
  if (fd >= 0) close(fd);

  char src[16] = "probe", dst[16] = {};
  struct iovec l = {dst, sizeof dst}, r = {src, sizeof src};
  bool vm_readv = process_vm_readv(getpid(), &l, 1, &r, 1, 0) == (ssize_t)sizeof src;
  Report(vm_readv, true, "process_vm_readv", vm_readv ? "file-backed memory read safely" : strerror(errno));

  void* a = mmap(nullptr, 8192, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  void* b = mmap(a, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  bool noreplace = b == MAP_FAILED && errno == EEXIST;
  munmap(a, 8192);
  Report(noreplace, true, "MAP_FIXED_NOREPLACE", noreplace ? "overlaps are caught" : "kernel older than 4.17");

  unsigned int mm_map_size = 0;
  bool mm_map = prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE, (unsigned long)&mm_map_size, 0, 0) == 0;
  Report(mm_map, true, "prctl(PR_SET_MM_MAP)",
         mm_map ? "brk, arguments and auxv restored" : "needs CONFIG_CHECKPOINT_RESTORE");

  long clone3 = syscall(SYS_clone3, nullptr, 0);
  bool has_clone3 = !(clone3 < 0 && errno == ENOSYS);
  Report(has_clone3, false, "clone3", has_clone3 ? "available" : "restart uses clone (new ids)");
  bool set_tid = has_clone3 && (HasCapability(40) || HasCapability(21));
  Report(set_tid, false, "clone3 set_tid (same pid/tids)",
         set_tid ? "CAP_CHECKPOINT_RESTORE held" : "no privilege: new ids, glibc's cached ids fixed");

  bool rseq = &__rseq_size != nullptr && __rseq_size > 0;
  Report(true, false, "glibc rseq registration",
         rseq ? "registered: re-registered per thread on restart" : "not registered");

  std::string maps = ReadFile("/proc/self/maps");
  std::string vdso;
  for (const char* part : {"[vvar]", "[vvar_vclock]", "[vdso]"}) {
    if (maps.find(part) != std::string::npos) vdso += std::string(vdso.empty() ? "" : " ") + part;
  }
  Report(!vdso.empty(), false, "vDSO", vdso.empty() ? "none" : vdso + " moved as one block");

  unsigned long minsig = getauxval(51 /* AT_MINSIGSTKSZ */);
  Report(true, false, "signal frame size",
         minsig ? std::to_string(minsig) + " bytes (AT_MINSIGSTKSZ)" : "not reported");

  long uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
  Report(uffd >= 0, false, "userfaultfd", uffd >= 0 ? "available (lazy restore possible)" : strerror(errno));
  if (uffd >= 0) close((int)uffd);

  std::string binfmt = ReadFile("/proc/sys/fs/binfmt_misc/status");
  bool qemu = access("/proc/sys/fs/binfmt_misc/qemu-aarch64", F_OK) == 0 ||
              access("/proc/sys/fs/binfmt_misc/qemu-arm", F_OK) == 0;
  Report(qemu, false, "binfmt_misc QEMU handlers", qemu ? "ARM programs run under QEMU" : "none registered");

  printf("%s\n", missing_essential ? "Essential features are missing: checkpoints will not work."
                                   : "Everything essential is present.");
  return missing_essential == 0;
}

}  // namespace dmtcp
