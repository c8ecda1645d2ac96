// proc_paths GO_FILE: /proc/<pid> paths name processes by the ids the program knows.
// A parent and a child, each with its own name (comm). After GO_FILE exists the parent
// reads its child's and its own names through /proc/<pid>/comm (open, fopen), looks
// at /proc/<child> with stat, access and opendir, at its main thread through
// /proc/<pid>/task/<tid>, and checks that /proc/self reads as its pid. Other calls
// naming a process: process_vm_readv reads a word of the child's memory (as UCX does
// with its peers; skipped where the emulator has none), sched_getaffinity and
// getpriority find the child.
// syscall(2) answers with the same ids as getpid() and gettid(), and kill and tgkill
// through it reach the processes the program names. This program defines its own
// gettid() on top of syscall(), as DMTCP's syscall-tester does: the checkpointer's
// syscall() must not call back into it.
// With "badptr" after GO_FILE: stat, lstat, access and open of a pointer the kernel
// refuses fail with EFAULT, as without the checkpointer (its /proc wrappers must not
// read it), before the checkpoint and after the restart.
// Prints "ready" first and "proc_paths ok" at the end (exit 0).
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "probe_util.h"

static int failures;

pid_t gettid(void) { return (pid_t)syscall(SYS_gettid); }

// An address no process can read: kernel space, or for 32-bit programs near the top.
static const char* const bad_address =
    (const char*)(uintptr_t)(sizeof(void*) == 8 ? 0xffffffffff000000ull : 0xff000000u);

static void check_efault(const char* when, const char* call, int rc) {
  if (rc != -1 || errno != EFAULT) {
    SAY("proc_paths FAILED: %s: %s(bad pointer) returned %d, errno %d", when, call, rc, errno);
    failures++;
  }
}

static void expect_efault(const char* when) {
  struct stat st;
  errno = 0;
  check_efault(when, "stat", stat(bad_address, &st));
  errno = 0;
  check_efault(when, "lstat", lstat(bad_address, &st));
  errno = 0;
  check_efault(when, "access", access(bad_address, R_OK));
  errno = 0;
  check_efault(when, "open", open(bad_address, O_RDONLY));
}
static volatile unsigned long marker;  // the child's copy says it is the child

static void expect_name(const char* path, const char* want, int use_stdio) {
  char text[64] = "";
  if (use_stdio) {
    FILE* f = fopen(path, "r");
    if (f) {
      if (!fgets(text, sizeof text, f)) text[0] = '\0';
      fclose(f);
    }
  } else {
    int fd = open(path, O_RDONLY);
    if (fd >= 0) {
      ssize_t n = read(fd, text, sizeof text - 1);
      text[n > 0 ? n : 0] = '\0';
      close(fd);
    }
  }
  char* nl = strchr(text, '\n');
  if (nl) *nl = '\0';
  if (strcmp(text, want) != 0) {
    SAY("proc_paths FAILED: %s reads \"%s\", expected \"%s\"", path, text, want);
    failures++;
  }
}

int main(int argc, char** argv) {
  const char* go = argc > 1 ? argv[1] : "go";
  const int badptr = argc > 2 && strcmp(argv[2], "badptr") == 0;
  if (badptr) expect_efault("before the checkpoint");
  const pid_t kid = fork();
  if (kid == 0) {
    prctl(PR_SET_NAME, "paths-kid");
    marker = 0xC0FFEE;
    for (;;) pause();
  }
  prctl(PR_SET_NAME, "paths-parent");
  usleep(100 * 1000);
  SAY("ready");
  wait_for_file(go);
  if (badptr) expect_efault("after the restart");
  if (syscall(SYS_getpid) != getpid() || syscall(SYS_gettid) != gettid()) {
    SAY("proc_paths FAILED: syscall() gives pid %ld tid %ld, getpid() %d gettid() %d",
        syscall(SYS_getpid), syscall(SYS_gettid), (int)getpid(), (int)gettid());
    failures++;
  }
  if (syscall(SYS_kill, kid, 0) != 0 || syscall(SYS_tgkill, getpid(), gettid(), 0) != 0) {
    SAY("proc_paths FAILED: kill/tgkill through syscall(): %s", strerror(errno));
    failures++;
  }

  const pid_t me = getpid();
  char path[128];
  snprintf(path, sizeof path, "/proc/%d/comm", (int)kid);
  expect_name(path, "paths-kid", 0);
  snprintf(path, sizeof path, "/proc/%d/comm", (int)me);
  expect_name(path, "paths-parent", 1);
  snprintf(path, sizeof path, "/proc/%d/task/%d/comm", (int)me, (int)gettid());
  expect_name(path, "paths-parent", 0);
  snprintf(path, sizeof path, "/proc/self/task/%d/comm", (int)gettid());
  expect_name(path, "paths-parent", 1);
  snprintf(path, sizeof path, "/proc/%d/task/%d/comm", (int)kid, (int)kid);
  expect_name(path, "paths-kid", 0);

  struct stat st;
  snprintf(path, sizeof path, "/proc/%d", (int)kid);
  if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
    SAY("proc_paths FAILED: stat %s", path);
    failures++;
  }
  snprintf(path, sizeof path, "/proc/%d/status", (int)kid);
  if (access(path, R_OK) != 0) {
    SAY("proc_paths FAILED: access %s", path);
    failures++;
  }
  snprintf(path, sizeof path, "/proc/%d/task", (int)kid);
  DIR* d = opendir(path);
  int threads = 0;
  for (struct dirent* e; d && (e = readdir(d));) threads += e->d_name[0] != '.';
  if (d) closedir(d);
  if (threads < 1) {
    SAY("proc_paths FAILED: %s lists %d threads", path, threads);
    failures++;
  }
  char link[32] = "", want[32];
  ssize_t n = readlink("/proc/self", link, sizeof link - 1);
  link[n > 0 ? n : 0] = '\0';
  snprintf(want, sizeof want, "%d", (int)me);
  if (strcmp(link, want) != 0) {
    SAY("proc_paths FAILED: /proc/self is \"%s\", expected \"%s\"", link, want);
    failures++;
  }
  unsigned long seen = 0;
  struct iovec local = {&seen, sizeof seen}, remote = {(void*)&marker, sizeof marker};
  if (process_vm_readv(kid, &local, 1, &remote, 1, 0) != (ssize_t)sizeof seen) {
    if (errno != ENOSYS) {
      SAY("proc_paths FAILED: process_vm_readv(%d): %s", (int)kid, strerror(errno));
      failures++;
    }
  } else if (seen != 0xC0FFEE) {
    SAY("proc_paths FAILED: process_vm_readv(%d) read %#lx", (int)kid, seen);
    failures++;
  }
  cpu_set_t cpus;
  if (sched_getaffinity(kid, sizeof cpus, &cpus) != 0) {
    SAY("proc_paths FAILED: sched_getaffinity(%d): %s", (int)kid, strerror(errno));
    failures++;
  }
  errno = 0;
  if (getpriority(PRIO_PROCESS, (id_t)kid) == -1 && errno != 0) {
    SAY("proc_paths FAILED: getpriority(%d): %s", (int)kid, strerror(errno));
    failures++;
  }
  kill(kid, SIGKILL);
  waitpid(kid, NULL, 0);
  if (failures) return 1;
  SAY("proc_paths ok");
  return 0;
}
