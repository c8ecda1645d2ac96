// pty_pair GO_FILE: a pseudo-terminal held by the computation, as under forkpty() or
// script(1), comes back whole. The parent keeps the master; the child is the session
// leader with the slave as its controlling terminal, in canonical mode with echo off
// and ^X as its interrupt character, in a 33x111 window. They talk in numbered lines.
// After the restart the parent checks the conversation goes on; the child checks its
// modes, window size and controlling terminal (/dev/tty opens, it is in the
// foreground), then the parent types ^X and the child must get SIGINT from the
// terminal, which only a controlling terminal delivers.
// Prints "ready", one line per check and "pty ok"; exits 0 if all passed.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>

#include "probe_util.h"

#define CTRL_X 0x18

static volatile sig_atomic_t got_sigint;
static void on_sigint(int sig) { (void)sig; got_sigint = 1; }

// The child: answers "ping N" with "pong N", "check" with its findings, "wait-int"
// by waiting for SIGINT.
static int child_main(void) {
  signal(SIGINT, on_sigint);
  struct termios t;
  tcgetattr(0, &t);
  t.c_lflag &= ~(tcflag_t)ECHO;
  t.c_lflag |= ICANON | ISIG;
  t.c_cc[VINTR] = CTRL_X;
  t.c_oflag &= ~(tcflag_t)OPOST;  // our "\n" stays "\n"
  tcsetattr(0, TCSANOW, &t);
  char line[256];
  for (;;) {
    ssize_t n = read(0, line, sizeof line - 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 3;
    line[n] = '\0';
    int k;
    if (sscanf(line, "ping %d", &k) == 1) {
      dprintf(1, "pong %d\n", k);
    } else if (strncmp(line, "check", 5) == 0) {
      struct termios now;
      struct winsize ws;
      tcgetattr(0, &now);
      ioctl(0, TIOCGWINSZ, &ws);
      int tty = open("/dev/tty", O_RDWR);
      dprintf(1, "modes %s window %dx%d ctty %s foreground %s\n",
              !(now.c_lflag & ECHO) && (now.c_lflag & ICANON) && now.c_cc[VINTR] == CTRL_X ? "ok" : "LOST",
              ws.ws_row, ws.ws_col, tty >= 0 ? "ok" : "LOST",
              tcgetpgrp(0) == getpgrp() ? "ok" : "LOST");
      if (tty >= 0) close(tty);
    } else if (strncmp(line, "wait-int", 8) == 0) {
      dprintf(1, "waiting\n");
      for (int i = 0; i < 500 && !got_sigint; i++) usleep(10 * 1000);
      dprintf(1, "sigint %s\n", got_sigint ? "ok" : "LOST");
      return got_sigint ? 0 : 4;
    }
  }
}

static int master;

// Reads from the master until a line starting with `prefix`; returns it in `out`.
static int expect(const char* prefix, char* out, size_t size) {
  static char buf[4096];
  static size_t len;
  for (int waited = 0; waited < 10000;) {
    char* nl;
    while ((nl = memchr(buf, '\n', len)) != NULL) {
      size_t l = (size_t)(nl - buf) + 1;
      int match = strncmp(buf, prefix, strlen(prefix)) == 0;
      if (match) {
        size_t c = l - 1 < size - 1 ? l - 1 : size - 1;
        memcpy(out, buf, c);
        out[c] = '\0';
      }
      memmove(buf, buf + l, len - l);
      len -= l;
      if (match) return 1;
    }
    struct pollfd p = {master, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) {
      waited += 100;
      continue;
    }
    ssize_t n = read(master, buf + len, sizeof buf - len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 0;
    len += (size_t)n;
  }
  return 0;
}

static int ok = 1;
static void check(int good, const char* what) {
  SAY("%s %s", what, good ? "ok" : "FAILED");
  ok &= good;
}

static int ping_pong(int from, int to) {
  char reply[256], want[64];
  for (int k = from; k <= to; k++) {
    dprintf(master, "ping %d\n", k);
    snprintf(want, sizeof want, "pong %d", k);
    if (!expect("pong", reply, sizeof reply) || strcmp(reply, want) != 0) return 0;
  }
  return 1;
}

int main(int argc, char** argv) {
  const char* go = argc > 1 ? argv[1] : "go";
  struct winsize ws = {33, 111, 0, 0};
  pid_t child = forkpty(&master, NULL, NULL, &ws);
  if (child < 0) {
    SAY("forkpty: %s", strerror(errno));
    return 2;
  }
  if (child == 0) _exit(child_main());
  check(ping_pong(1, 5), "conversation before");
  SAY("ready");
  wait_for_file(go);

  check(ping_pong(6, 20), "conversation after");
  char reply[256];
  dprintf(master, "check\n");
  check(expect("modes", reply, sizeof reply), "child answers");
  SAY("child: %s", reply);
  check(strcmp(reply, "modes ok window 33x111 ctty ok foreground ok") == 0, "child's terminal");
  dprintf(master, "wait-int\n");
  expect("waiting", reply, sizeof reply);
  char intr = CTRL_X;
  write(master, &intr, 1);
  check(expect("sigint", reply, sizeof reply) && strcmp(reply, "sigint ok") == 0,
        "interrupt character reaches the child");
  int status;
  check(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0,
        "child exits 0");
  SAY("%s", ok ? "pty ok" : "PTY FAILED");
  return ok ? 0 : 1;
}
