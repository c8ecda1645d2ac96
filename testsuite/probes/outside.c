// outside TOOL: runs itself through TOOL (dmtcp_nocheckpoint), outside checkpoint
// control. The child prints "outside: preload <LD_PRELOAD or unset> settings <how many
// DMTCP_* variables>" and then lives 3 s; the parent prints "ready", waits for it and
// prints "outside done".
#define _GNU_SOURCE
#include <string.h>
#include <sys/wait.h>

#include "probe_util.h"

extern char** environ;

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  if (strcmp(argv[1], "child") == 0) {
    int settings = 0;
    for (char** e = environ; *e != NULL; e++) settings += strncmp(*e, "DMTCP_", 6) == 0;
    const char* preload = getenv("LD_PRELOAD");
    SAY("outside: preload %s settings %d", preload ? preload : "unset", settings);
    sleep(3);
    return 0;
  }
  char self[4096];
  ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
  if (len <= 0) return 2;
  self[len] = '\0';
  setenv("LD_PRELOAD", "", 0);  // nothing of the user's: ours alone must go
  pid_t pid = fork();
  if (pid == 0) {
    execl(argv[1], argv[1], self, "child", (char*)NULL);
    _exit(127);
  }
  SAY("ready");
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    SAY("outside FAILED: the child ended with status %#x", status);
    return 1;
  }
  SAY("outside done");
  return 0;
}
