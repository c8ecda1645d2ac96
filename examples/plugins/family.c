/* family: a small process tree for the example plugins to live in.
 *
 *   family DIR STEPS
 *
 * The parent forks a child, which execs this program again as "family --child DIR
 * STEPS". Each process counts 1..STEPS into DIR/<parent|child>.out, one number per
 * line through a fully buffered stdio stream (so only a flush puts them on disk),
 * opening /dev/null at every step (something for count_opens to count), 30 ms apart.
 * The parent waits for the child and exits with its status.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int count(const char *dir, const char *role, int steps) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s.out", dir, role);
  FILE *out = fopen(path, "w");
  if (out == NULL) return 2;
  setvbuf(out, NULL, _IOFBF, 1 << 16);
  for (int i = 1; i <= steps; i++) {
    int fd = open("/dev/null", O_RDONLY);
    if (fd >= 0) close(fd);
    fprintf(out, "%d\n", i);
    struct timespec t = {0, 30 * 1000000L};
    nanosleep(&t, NULL);
  }
  return fclose(out) == 0 ? 0 : 2;
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "--child") == 0) return count(argv[2], "child", atoi(argv[3]));
  if (argc != 3) {
    fprintf(stderr, "usage: family DIR STEPS\n");
    return 2;
  }
  pid_t child = fork();
  if (child == 0) {
    execl("/proc/self/exe", argv[0], "--child", argv[1], argv[2], (char *)NULL);
    _exit(127);
  }
  int rc = count(argv[1], "parent", atoi(argv[2]));
  int status = 0;
  if (child < 0 || waitpid(child, &status, 0) != child) return 3;
  return rc != 0 ? rc : WIFEXITED(status) ? WEXITSTATUS(status) : 4;
}
