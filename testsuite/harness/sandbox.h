// sandbox.h - what every checkpoint test needs: a private directory, its own
// coordinator on a free port, and the real command-line tools to drive.
//
// Tests run in parallel under bazel, so each Sandbox starts its own coordinator
// (--port 0 with a port file) and keeps images in its own directory. The test
// process becomes a child subreaper, so restored processes, whose parent is
// dmtcp_restart, are still ours to reap and to kill.
#ifndef TESTSUITE_HARNESS_SANDBOX_H
#define TESTSUITE_HARNESS_SANDBOX_H

#include <sys/types.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace dmtcp_test {

struct Exit {
  bool exited = false;  // else killed by `signal`, or still running (timeout)
  int code = -1;
  int signal = 0;
  bool timed_out = false;
  std::string Describe() const;
};

struct Output {
  Exit exit;
  std::string out, err;
};

// Paths of things the tests run, found in the test's runfiles.
std::string Runfile(const std::string& rel);     // <workspace>/<rel>
std::string ToolPath(const std::string& name);   // core/tools/<name>
std::string ProbePath(const std::string& name);  // testsuite/probes/<name>
std::string AppPath(const std::string& name);    // testsuite/apps/<name>

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& content);
bool FileExists(const std::string& path);

class Sandbox {
 public:
  // `coordinator_args` are added to dmtcp_coordinator's command line.
  explicit Sandbox(std::vector<std::string> coordinator_args = {});
  ~Sandbox();

  const std::string& dir() const { return dir_; }
  int port() const { return port_; }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  // Starts `dmtcp_launch <launch_args> <program...>` with stdout and stderr in
  // dir()/<log>.out and dir()/<log>.err. Returns its pid (the program's, after exec).
  pid_t Launch(const std::vector<std::string>& program, const std::string& log,
               const std::vector<std::string>& launch_args = {});
  // Starts `dmtcp_restart <args> <images...>` the same way.
  pid_t Restart(const std::vector<std::string>& images, const std::string& log,
                const std::vector<std::string>& restart_args = {});
  // The command lines Launch and Restart run, and the environment they add, for tests
  // that start them some other way (on a terminal).
  std::vector<std::string> LaunchArgv(const std::vector<std::string>& program,
                                      const std::vector<std::string>& launch_args = {}) const;
  std::vector<std::string> RestartArgv(const std::vector<std::string>& images,
                                       const std::vector<std::string>& restart_args = {}) const;
  std::vector<std::string> Env() const;
  // Starts any command the same way (cwd: dir()), with DMTCP_COORD_PORT set.
  pid_t Spawn(const std::vector<std::string>& argv, const std::string& log,
              const std::vector<std::string>& env = {});
  // Runs a command to completion; stdout and stderr captured.
  Output Run(const std::vector<std::string>& argv, const std::vector<std::string>& env = {},
             absl::Duration timeout = absl::Seconds(60));
  // dmtcp_command -p <port> <args>.
  Output Command(const std::vector<std::string>& args);

  Exit Wait(pid_t pid, absl::Duration timeout = absl::Seconds(60));
  // Polls until pred(content of dir()/<log>.out) holds; false on timeout.
  bool WaitForOutput(const std::string& log, const std::function<bool(const std::string&)>& pred,
                     absl::Duration timeout = absl::Seconds(30));
  // Waits until the log has a line equal to `line`.
  bool WaitForLine(const std::string& log, const std::string& line,
                   absl::Duration timeout = absl::Seconds(30));

  // Polls `dmtcp_command -s` until at least `count` processes have joined the
  // coordinator: a launch returns before its program has joined, and under QEMU on a
  // busy machine joining can take longer than any fixed sleep.
  bool WaitForPeers(int count, absl::Duration timeout = absl::Seconds(60));

  // ckpt_*.dmtcp in dir(), sorted.
  // The images in the sandbox's folder, or in `dir`.
  std::vector<std::string> Images(const std::string& dir = "") const;

  // The round trip most tests make: launch `program` (output in dir()/<log>.out),
  // wait for its line "ready", take `checkpoints` blocking checkpoints, kill it, restart
  // the image (dmtcp_restart's output in dir()/restart.*), give it 0.2 s, create
  // dir()/go and wait for the restarted program. Failures are reported as test
  // failures; the restarted program's exit is returned.
  Exit CheckpointKillRestart(const std::vector<std::string>& program, const std::string& log,
                             int checkpoints = 1);

 private:
  std::string dir_;
  int port_ = 0;
  pid_t coordinator_ = -1;
  std::vector<pid_t> spawned_;
  std::map<pid_t, std::string> tool_logs_;  // our tools' runs, by pid: their log names
  void CheckToolSaidWhy(pid_t pid, const Exit& e);
};

// Why dmtcp_launch of this build cannot run `program` (installed programs are the
// host's, x86_64; an ARM build cannot preload into them), or "" if it can.
std::string WhyCannotLaunch(const std::string& program);

// True when this test runs under QEMU user mode (an ARM build on an x86_64 kernel).
// There the emulator, not the kernel, restarts interrupted system calls, and it lets
// nanosleep and poll fail with EINTR after any handler: our rewind cannot apply.
bool UnderEmulator();
// Empty, or why this process's threads cannot keep their own state across a signal:
// QEMU 7.2 user mode gives an i386 guest one GDT for all its threads and reloads %gs
// from it on sigreturn (a signalled thread of a multithreaded program may come back
// with another thread's TLS, checkpointed or not), and its i386 signal frames carry no
// SSE registers. Tests that need either skip with this reason.
std::string EmulatorLosesThreadState();

// Lines of `text` parsed as integers (non-numeric lines skipped).
std::vector<long> Numbers(const std::string& text);

}  // namespace dmtcp_test

#endif  // TESTSUITE_HARNESS_SANDBOX_H
