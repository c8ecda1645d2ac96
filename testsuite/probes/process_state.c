// process_state GO_FILE DATA_FILE: the kernel-held parts of a process that a restart
// must put back. Before "ready" it grows the heap with sbrk, maps DATA_FILE privately
// and changes a byte of that mapping, fills an anonymous shared mapping, and moves to
// a subdirectory. Once GO_FILE exists (in the original directory) it checks each:
//  - brk: the next sbrk continues exactly where the heap ended;
//  - /proc/self/cmdline still holds the original arguments;
//  - the working directory is the subdirectory;
//  - the private file mapping keeps the changed byte, and the file does not;
//  - the shared anonymous mapping keeps its contents;
//  - the main stack can still grow downwards by megabytes.
// Prints one line per check and exits 0 only if all passed.
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>

#include "probe_util.h"

static int ok = 1;

static void check(int good, const char* what) {
  SAY("%s %s", what, good ? "ok" : "FAILED");
  ok &= good;
}

static long recurse(long depth) {
  volatile char frame[4096];
  frame[0] = (char)depth;
  if (depth == 0) return frame[0];
  return recurse(depth - 1) + frame[0];
}

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  char go[PATH_MAX];
  if (realpath(".", go) == NULL) return 2;
  strcat(go, "/");
  strcat(go, argv[1]);

  char* heap_end = sbrk(1 << 20);
  heap_end += 1 << 20;
  memset(heap_end - (1 << 20), 0x5a, 1 << 20);

  int fd = open(argv[2], O_RDONLY);
  if (fd < 0) return 2;
  char* file = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  close(fd);
  if (file == MAP_FAILED) return 2;
  const char original = file[100];
  file[100] = (char)(original + 1);

  uint64_t* shared = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) return 2;
  pattern_fill(shared, (1 << 20) / 8, 77);

  char cmdline_before[4096];
  int n = open("/proc/self/cmdline", O_RDONLY);
  ssize_t cmdline_len = read(n, cmdline_before, sizeof cmdline_before);
  close(n);

  if (mkdir("subdir", 0755) != 0 && access("subdir", F_OK) != 0) return 2;
  if (chdir("subdir") != 0) return 2;
  SAY("ready");
  wait_for_file(go);

  char* next = sbrk(4096);
  check(next == heap_end, "brk continues the heap");
  if (next != (char*)-1) memset(next, 1, 4096);
  check(((unsigned char*)heap_end)[-1] == 0x5a, "heap contents");

  char cmdline_after[4096];
  n = open("/proc/self/cmdline", O_RDONLY);
  ssize_t after_len = read(n, cmdline_after, sizeof cmdline_after);
  close(n);
  check(after_len == cmdline_len && memcmp(cmdline_before, cmdline_after, (size_t)after_len) == 0,
        "/proc/self/cmdline");

  char cwd[PATH_MAX];
  check(getcwd(cwd, sizeof cwd) && strlen(cwd) > 7 && strcmp(cwd + strlen(cwd) - 7, "/subdir") == 0,
        "working directory");

  char on_disk = 0;
  fd = open(argv[2], O_RDONLY);
  check(pread(fd, &on_disk, 1, 100) == 1 && on_disk == original && file[100] == (char)(original + 1),
        "private file mapping");
  close(fd);

  check(pattern_check(shared, (1 << 20) / 8, 77) == (1 << 20) / 8, "shared anonymous mapping");
  check(recurse(1024) != 12345, "stack growth");  // 4 MiB of frames
  SAY("%s", ok ? "process state ok" : "PROCESS STATE FAILED");
  return ok ? 0 : 1;
}
