// interactive: a full-screen-style program on the user's terminal. It puts the terminal
// in raw mode (no line buffering, no echo), answers every key at once with
// "key <c> #<n>" (n counts keys across restarts), and counts SIGWINCH. On 'q' it
// reports "bye window <rows>x<cols> winch <count> raw <ok|LOST> foreground <ok|LOST>"
// and exits 0. Prints "ready" first.
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "probe_util.h"

static volatile sig_atomic_t winches;
static void on_winch(int sig) { (void)sig; winches++; }

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_winch;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGWINCH, &sa, NULL);
  struct termios raw;
  if (tcgetattr(0, &raw) != 0) {
    SAY("stdin is not a terminal: %s", strerror(errno));
    return 2;
  }
  raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
  raw.c_cc[VMIN] = 1;
  raw.c_cc[VTIME] = 0;
  tcsetattr(0, TCSANOW, &raw);
  SAY("ready");
  int keys = 0;
  for (;;) {
    char c;
    ssize_t n = read(0, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 3;
    if (c == 'q') break;
    SAY("key %c #%d", c, ++keys);
  }
  struct termios now;
  struct winsize ws;
  tcgetattr(0, &now);
  ioctl(0, TIOCGWINSZ, &ws);
  const int raw_ok = !(now.c_lflag & (ICANON | ECHO)) && now.c_cc[VMIN] == 1;
  SAY("bye window %dx%d winch %d raw %s foreground %s", ws.ws_row, ws.ws_col, (int)winches,
      raw_ok ? "ok" : "LOST", tcgetpgrp(0) == getpgrp() ? "ok" : "LOST");
  return 0;
}
