// terminal.h - a pseudo-terminal with a minimal job-control shell on it, for tests of
// interactive programs: the command runs as the foreground job, in a process group of
// its own within the shell's session, as bash runs a command typed at its prompt. The
// test types on the master side and reads what the job writes.
#ifndef TESTSUITE_HARNESS_TERMINAL_H
#define TESTSUITE_HARNESS_TERMINAL_H

#include <sys/types.h>
#include <termios.h>

#include <string>
#include <vector>

#include "absl/time/time.h"

namespace dmtcp_test {

class Terminal {
 public:
  Terminal(int rows, int cols);
  ~Terminal();  // hangs up: the session gets SIGHUP
  Terminal(const Terminal&) = delete;
  Terminal& operator=(const Terminal&) = delete;

  // Starts `argv` (cwd `dir`, the test's environment plus `env`) as the foreground
  // job. Returns the job's pid (its process group), or -1.
  pid_t Run(const std::vector<std::string>& argv, const std::string& dir,
            const std::vector<std::string>& env);
  // The shell's exit: the job's exit code, or 128 + the signal that killed it.
  int WaitShell(absl::Duration timeout = absl::Seconds(60));

  void Type(const std::string& keys);
  // Reads until `text` appears in what was written since the last WaitFor that
  // succeeded; false on timeout.
  bool WaitFor(const std::string& text, absl::Duration timeout = absl::Seconds(30));
  const std::string& output() const { return output_; }
  // The terminal's modes now (the master reports the slave's).
  struct termios Modes() const;

 private:
  void ReadAvailable(int timeout_ms);

  int master_ = -1;
  std::string slave_path_;
  std::string output_;
  size_t seen_ = 0;
  pid_t shell_ = -1;
};

}  // namespace dmtcp_test

#endif  // TESTSUITE_HARNESS_TERMINAL_H
