// clean_exec COUNT: a child exec'd with an environment of its own making ("A=B" and
// an LD_PRELOAD of a library that does not exist, as DMTCP's forkexec test does) must
// still be part of the computation. The parent forks it and waits; the child prints
// 1..COUNT, 20 ms apart, then "clean_exec done" (FAILED if its environment is not
// the one it was given).
#define _GNU_SOURCE
#include <string.h>
#include <sys/wait.h>

#include "probe_util.h"

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  if (argc > 2) {  // the child
    const char* a = getenv("A");
    if (a == NULL || strcmp(a, "B") != 0) {
      SAY("clean_exec FAILED: A is %s", a ? a : "unset");
      return 1;
    }
    for (long n = 1; n <= atol(argv[1]); n++) {
      SAY("%ld", n);
      usleep(20 * 1000);
    }
    SAY("clean_exec done");
    return 0;
  }
  char self[4096];
  ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
  if (len <= 0) return 2;
  self[len] = '\0';
  pid_t pid = fork();
  if (pid == 0) {
    char* child_argv[] = {self, argv[1], (char*)"child", NULL};
    char* env[] = {(char*)"A=B", (char*)"LD_PRELOAD=/nonexistent/libtaco.so", NULL};
    execve(self, child_argv, env);
    _exit(127);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return 3;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 4;
}
