#include "testsuite/harness/terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "absl/time/clock.h"

namespace dmtcp_test {

Terminal::Terminal(int rows, int cols) {
  master_ = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  char name[128];
  if (master_ < 0 || grantpt(master_) != 0 || unlockpt(master_) != 0 ||
      ptsname_r(master_, name, sizeof name) != 0) {
    fprintf(stderr, "terminal: cannot create a pseudo-terminal: %s\n", strerror(errno));
    return;
  }
  slave_path_ = name;
  struct winsize ws = {static_cast<unsigned short>(rows), static_cast<unsigned short>(cols), 0, 0};
  ioctl(master_, TIOCSWINSZ, &ws);
}

Terminal::~Terminal() {
  if (master_ >= 0) close(master_);
  if (shell_ > 0) {
    kill(shell_, SIGKILL);
    waitpid(shell_, nullptr, 0);
  }
}

pid_t Terminal::Run(const std::vector<std::string>& argv_in, const std::string& dir,
                    const std::vector<std::string>& env_in) {
  std::vector<std::string> argv = argv_in, env = env_in;
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  int report[2];
  if (master_ < 0 || pipe2(report, O_CLOEXEC) != 0) return -1;
  shell_ = fork();
  if (shell_ == 0) {
    // The shell: leader of a new session whose controlling terminal is the slave.
    setsid();
    int slave = open(slave_path_.c_str(), O_RDWR);
    if (slave < 0 || ioctl(slave, TIOCSCTTY, 0) != 0) _exit(120);
    pid_t job = fork();
    if (job == 0) {
      setpgid(0, 0);
      signal(SIGTTOU, SIG_IGN);  // we are not in the foreground yet
      tcsetpgrp(slave, getpid());
      signal(SIGTTOU, SIG_DFL);
      dup2(slave, 0);
      dup2(slave, 1);
      dup2(slave, 2);
      if (slave > 2) close(slave);
      if (chdir(dir.c_str()) != 0) _exit(121);
      for (std::string& e : env) putenv(e.data());
      execv(args[0], args.data());
      _exit(127);
    }
    setpgid(job, job);
    if (write(report[1], &job, sizeof job) != sizeof job) _exit(122);
    int status;
    while (waitpid(job, &status, 0) < 0 && errno == EINTR) {
    }
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  }
  close(report[1]);
  pid_t job = -1;
  if (read(report[0], &job, sizeof job) != sizeof job) job = -1;
  close(report[0]);
  return job;
}

int Terminal::WaitShell(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (shell_ > 0 && absl::Now() < deadline) {
    ReadAvailable(0);
    int status;
    pid_t r = waitpid(shell_, &status, WNOHANG);
    if (r == shell_) {
      shell_ = -1;
      ReadAvailable(0);
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    usleep(10 * 1000);
  }
  return -1;
}

void Terminal::Type(const std::string& keys) {
  if (write(master_, keys.data(), keys.size()) != static_cast<ssize_t>(keys.size())) {
    fprintf(stderr, "terminal: typing failed: %s\n", strerror(errno));
  }
}

void Terminal::ReadAvailable(int timeout_ms) {
  struct pollfd p = {master_, POLLIN, 0};
  while (poll(&p, 1, timeout_ms) > 0) {
    char buf[4096];
    ssize_t n = read(master_, buf, sizeof buf);
    if (n <= 0) return;  // EIO: no slave open any more
    output_.append(buf, static_cast<size_t>(n));
    timeout_ms = 0;
  }
}

bool Terminal::WaitFor(const std::string& text, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    size_t at = output_.find(text, seen_);
    if (at != std::string::npos) {
      seen_ = at + text.size();
      return true;
    }
    if (absl::Now() > deadline) return false;
    ReadAvailable(20);
  }
}

struct termios Terminal::Modes() const {
  struct termios t;
  memset(&t, 0, sizeof t);
  tcgetattr(master_, &t);
  return t;
}

}  // namespace dmtcp_test
