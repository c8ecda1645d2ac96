// files GO_FILE: open files of every common kind, checked after the restart.
//  - data.txt read up to offset 5 (O_RDWR): the offset and the bytes after it;
//  - log.txt with O_APPEND: the flag stays, a write lands at the end;
//  - the working directory opened O_DIRECTORY: usable with openat;
//  - /dev/null O_WRONLY with close-on-exec: still write-only and close-on-exec;
//  - short.txt read up to offset 8, then cut to 3 bytes (by the test, between the
//    checkpoint and the restart): the offset stays 8, reads give end of file;
//  - gone.txt, deleted (by the test) before the restart: its descriptor is closed;
//  - a pipe made O_NONBLOCK and close-on-exec, a socket pair made O_NONBLOCK: the
//    flags stay (an empty pipe's read gives EAGAIN), and only the pipe closes on exec.
// Prints "ready" once all are open; after GO_FILE exists prints "files ok" (exit 0).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>

#include "probe_util.h"

static int failures;

static void check(int ok, const char* what) {
  if (!ok) {
    SAY("files FAILED: %s (errno %d)", what, errno);
    failures++;
  }
}

static int open_file(const char* name, const char* text, int flags) {
  int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) return -1;
  close(fd);
  return open(name, flags);
}

int main(int argc, char** argv) {
  const char* go = argc > 1 ? argv[1] : "go";
  char buf[16];
  const int data = open_file("data.txt", "0123456789", O_RDWR);
  check(read(data, buf, 5) == 5, "read 5 bytes of data.txt");
  const int log = open_file("log.txt", "first\n", O_WRONLY | O_APPEND);
  const int dir = open(".", O_RDONLY | O_DIRECTORY);
  const int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
  const int shrunk = open_file("short.txt", "abcdefghijkl", O_RDONLY);
  check(read(shrunk, buf, 8) == 8, "read 8 bytes of short.txt");
  const int gone = open_file("gone.txt", "bye", O_RDONLY);
  int pipe_fds[2], socket_fds[2];
  if (pipe2(pipe_fds, O_NONBLOCK | O_CLOEXEC) != 0 ||
      socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, socket_fds) != 0) {
    SAY("files FAILED: cannot make the pipe or the socket pair");
    return 2;
  }
  if (data < 0 || log < 0 || dir < 0 || null < 0 || shrunk < 0 || gone < 0) {
    SAY("files FAILED: cannot open the files");
    return 2;
  }
  SAY("ready");
  wait_for_file(go);

  check(lseek(data, 0, SEEK_CUR) == 5, "data.txt is at offset 5");
  memset(buf, 0, sizeof buf);
  check(read(data, buf, 5) == 5 && memcmp(buf, "56789", 5) == 0, "data.txt reads 56789");
  check((fcntl(data, F_GETFL) & O_ACCMODE) == O_RDWR, "data.txt is read-write");

  check((fcntl(log, F_GETFL) & O_APPEND) != 0, "log.txt keeps O_APPEND");
  lseek(log, 0, SEEK_SET);
  check(write(log, "second\n", 7) == 7, "write to log.txt");
  int check_fd = open("log.txt", O_RDONLY);
  memset(buf, 0, sizeof buf);
  check(read(check_fd, buf, sizeof buf - 1) == 13 && strcmp(buf, "first\nsecond\n") == 0,
        "log.txt got its line at the end");
  close(check_fd);

  int via_dir = openat(dir, "data.txt", O_RDONLY);
  check(via_dir >= 0, "openat through the directory descriptor");
  close(via_dir);

  check((fcntl(null, F_GETFL) & O_ACCMODE) == O_WRONLY, "/dev/null is write-only");
  check(fcntl(null, F_GETFD) == FD_CLOEXEC, "/dev/null keeps close-on-exec");
  check(fcntl(data, F_GETFD) == 0, "data.txt is not close-on-exec");
  check(write(null, "x", 1) == 1, "write to /dev/null");

  check(lseek(shrunk, 0, SEEK_CUR) == 8, "short.txt keeps offset 8");
  check(read(shrunk, buf, 4) == 0, "short.txt reads end of file");

  check(fcntl(gone, F_GETFD) == -1 && errno == EBADF, "gone.txt's descriptor is closed");

  check((fcntl(pipe_fds[0], F_GETFL) & O_NONBLOCK) != 0, "the pipe keeps O_NONBLOCK");
  check(read(pipe_fds[0], buf, 1) == -1 && errno == EAGAIN, "the empty pipe's read gives EAGAIN");
  check(fcntl(pipe_fds[1], F_GETFD) == FD_CLOEXEC, "the pipe keeps close-on-exec");
  check((fcntl(socket_fds[0], F_GETFL) & O_NONBLOCK) != 0, "the socket keeps O_NONBLOCK");
  check(fcntl(socket_fds[1], F_GETFD) == 0, "the socket is not close-on-exec");
  if (failures) return 1;
  SAY("files ok");
  return 0;
}
