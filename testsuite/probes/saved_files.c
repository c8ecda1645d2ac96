// saved_files GO_FILE: two files held open across a checkpoint, described after the
// restart so that the test can check what dmtcp_restart put back:
//  - kept.txt, O_RDWR, "checkpointed contents\n", at offset 5;
//  - made.txt, O_WRONLY, created with mode 0640, "abc".
// Prints "ready"; once GO_FILE exists, one line per file:
// "<name>: mode <octal> offset <n> contents <bytes>" (read through /proc/self/fd,
// "missing" when the descriptor is closed), then "saved_files done".
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>

#include "probe_util.h"

static void describe(const char* name, int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) {
    SAY("%s: missing", name);
    return;
  }
  char link[64], contents[256] = "";
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  int reader = open(link, O_RDONLY);
  ssize_t n = reader < 0 ? -1 : pread(reader, contents, sizeof contents - 1, 0);
  contents[n > 0 ? n : 0] = '\0';
  if (reader >= 0) close(reader);
  char* newline = strchr(contents, '\n');
  if (newline != NULL) *newline = '\0';
  SAY("%s: mode %o offset %ld contents %s", name, (unsigned)(st.st_mode & 07777),
      (long)lseek(fd, 0, SEEK_CUR), contents);
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  umask(022);
  int kept = open("kept.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
  int made = open("made.txt", O_WRONLY | O_CREAT | O_TRUNC, 0640);
  if (kept < 0 || made < 0) return 2;
  if (write(kept, "checkpointed contents\n", 22) != 22 || write(made, "abc", 3) != 3) return 2;
  lseek(kept, 5, SEEK_SET);
  SAY("ready");
  wait_for_file(argv[1]);
  describe("kept.txt", kept);
  describe("made.txt", made);
  SAY("saved_files done");
  return 0;
}
