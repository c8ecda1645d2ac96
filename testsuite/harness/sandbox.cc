#include "testsuite/harness/sandbox.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/strings/ascii.h"
#include "arch/arch.h"
#include "core/common/emulation.h"
#include "gtest/gtest.h"

namespace dmtcp_test {
namespace {

std::string TempRoot() {
  const char* t = getenv("TEST_TMPDIR");
  return t ? t : "/tmp";
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// fork + exec with stdout/stderr redirected (to files, or to the given fds).
pid_t SpawnProcess(const std::vector<std::string>& argv_in, const std::string& cwd,
                   const std::vector<std::string>& env_in, int out_fd, int err_fd) {
  std::vector<std::string> argv = argv_in;
  std::vector<std::string> env = env_in;
  std::vector<char*> args = CStrings(argv);
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);  // our own group, so a test can kill a whole tree
    if (chdir(cwd.c_str()) != 0) _exit(127);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    for (std::string& e : env) putenv(e.data());
    execv(args[0], args.data());
    fprintf(stderr, "cannot exec %s: %s\n", args[0], strerror(errno));
    _exit(127);
  }
  return pid;
}

}  // namespace

std::string Exit::Describe() const {
  if (timed_out) return "still running (timed out)";
  if (exited) return absl::StrCat("exit code ", code);
  return absl::StrCat("killed by signal ", signal, " (", strsignal(signal), ")");
}

std::string Runfile(const std::string& rel) {
  const char* srcdir = getenv("TEST_SRCDIR");
  const char* workspace = getenv("TEST_WORKSPACE");
  std::string base = srcdir ? std::string(srcdir) + "/" + (workspace ? workspace : "dmtcp_ng") : ".";
  return base + "/" + rel;
}

std::string ToolPath(const std::string& name) { return Runfile("core/tools/" + name); }
std::string ProbePath(const std::string& name) { return Runfile("testsuite/probes/" + name); }
std::string AppPath(const std::string& name) { return Runfile("testsuite/apps/" + name); }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

bool FileExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

std::string WhyCannotLaunch(const std::string& program) {
  if (access(program.c_str(), X_OK) != 0) return program + " is not installed (ci/setup installs it)";
  Output o = Sandbox().Run({ToolPath("dmtcp_launch"), "--join-coordinator", "--coord-port", "1",
                            program, "--version"});
  if (o.err.find("runtime is installed") != std::string::npos) {  // dmtcp_launch refused it
    return program + " is not a " ARCH_NAME " program; this build can only preload into " ARCH_NAME
                     " programs (multi-arch installs come with the ports)";
  }
  return "";
}

bool UnderEmulator() { return dmtcp::ThisProcessIsEmulated(); }

std::string EmulatorLosesThreadState() {
  if (ARCH_ID != ARCH_ID_I386 || !UnderEmulator()) return "";
  return "SKIPPED LOUDLY: QEMU user mode (this kernel has no IA32 emulation) loses i386 "
         "thread state at every signal, with or without checkpoints: one GDT for all "
         "threads, reloaded into %gs on sigreturn, and no SSE registers in signal frames";
}

std::vector<long> Numbers(const std::string& text) {
  std::vector<long> out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    long v;
    if (absl::SimpleAtoi(line, &v)) out.push_back(v);
  }
  return out;
}

Sandbox::Sandbox(std::vector<std::string> coordinator_args) {
  // Restored processes are children of dmtcp_restart; if it dies first they must
  // come to us, not to a slow init.
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  static std::atomic<int> counter{0};
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  dir_ = absl::StrCat(TempRoot(), "/", info ? info->test_suite_name() : "test", ".",
                      info ? info->name() : "x", ".", getpid(), ".", counter++);
  for (size_t i = TempRoot().size() + 1; i < dir_.size(); i++) {
    if (dir_[i] == '/') dir_[i] = '_';  // parameterized tests have "/" in their names
  }
  mkdir(dir_.c_str(), 0755);
  const std::string port_file = Path("coordinator.port");
  std::vector<std::string> argv = {ToolPath("dmtcp_coordinator"), "--port", "0",
                                   "--port-file", port_file, "--ckptdir", dir_, "--quiet"};
  argv.insert(argv.end(), coordinator_args.begin(), coordinator_args.end());
  int out = open(Path("coordinator.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  coordinator_ = SpawnProcess(argv, dir_, {}, out, out);
  close(out);
  for (int i = 0; i < 1000 && port_ == 0; i++) {
    std::string text = ReadFile(port_file);
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &port_)) port_ = 0;
    if (port_ == 0) usleep(10 * 1000);
  }
  if (port_ == 0) ADD_FAILURE() << "the coordinator did not start: " << ReadFile(Path("coordinator.log"));
}

Sandbox::~Sandbox() {
  for (pid_t pid : spawned_) kill(-pid, SIGKILL);  // whole groups: restarted processes too
  if (coordinator_ > 0) kill(coordinator_, SIGKILL);
  // Reap everything, the orphans we inherited as subreaper included.
  for (int i = 0; i < 200; i++) {
    pid_t pid = waitpid(-1, nullptr, WNOHANG);
    if (pid < 0) break;
    if (pid == 0) usleep(10 * 1000);
  }
}

std::vector<std::string> Sandbox::Env() const { return {absl::StrCat("DMTCP_COORD_PORT=", port_)}; }

pid_t Sandbox::Spawn(const std::vector<std::string>& argv, const std::string& log,
                     const std::vector<std::string>& env_in) {
  std::vector<std::string> env = env_in;
  for (const std::string& e : Env()) env.push_back(e);
  int out = open(Path(log + ".out").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int err = open(Path(log + ".err").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  pid_t pid = SpawnProcess(argv, dir_, env, out, err);
  close(out);
  close(err);
  spawned_.push_back(pid);
  if (!argv.empty() && absl::StrContains(argv[0], "/dmtcp_")) tool_logs_[pid] = log;
  return pid;
}

std::vector<std::string> Sandbox::LaunchArgv(const std::vector<std::string>& program,
                                             const std::vector<std::string>& launch_args) const {
  std::vector<std::string> argv = {ToolPath("dmtcp_launch"), "--join-coordinator", "--ckptdir", dir_};
  argv.insert(argv.end(), launch_args.begin(), launch_args.end());
  argv.insert(argv.end(), program.begin(), program.end());
  return argv;
}

std::vector<std::string> Sandbox::RestartArgv(const std::vector<std::string>& images,
                                              const std::vector<std::string>& restart_args) const {
  std::vector<std::string> argv = {ToolPath("dmtcp_restart"), "--join-coordinator"};
  argv.insert(argv.end(), restart_args.begin(), restart_args.end());
  argv.insert(argv.end(), images.begin(), images.end());
  return argv;
}

pid_t Sandbox::Launch(const std::vector<std::string>& program, const std::string& log,
                      const std::vector<std::string>& launch_args) {
  return Spawn(LaunchArgv(program, launch_args), log);
}

pid_t Sandbox::Restart(const std::vector<std::string>& images, const std::string& log,
                       const std::vector<std::string>& restart_args) {
  return Spawn(RestartArgv(images, restart_args), log);
}

Output Sandbox::Run(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                    absl::Duration timeout) {
  static std::atomic<int> runs{0};
  const std::string log = absl::StrCat("run.", runs++);
  pid_t pid = Spawn(argv, log, env);
  Output o;
  o.exit = Wait(pid, timeout);
  o.out = ReadFile(Path(log + ".out"));
  o.err = ReadFile(Path(log + ".err"));
  return o;
}

Output Sandbox::Command(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {ToolPath("dmtcp_command"), "--coord-port",
                                   std::to_string(port_)};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv);
}

Exit Sandbox::Wait(pid_t pid, absl::Duration timeout) {
  Exit e;
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    int status;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      e.exited = WIFEXITED(status);
      e.code = e.exited ? WEXITSTATUS(status) : -1;
      e.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
      CheckToolSaidWhy(pid, e);
      return e;
    }
    if (r < 0 || absl::Now() > deadline) {
      e.timed_out = true;
      return e;
    }
    usleep(5 * 1000);
  }
}

// Every test checks this of every tool it runs: a failure (exit 99, the default of
// $DMTCP_FAIL_RC) always comes with a line on stderr saying why.
void Sandbox::CheckToolSaidWhy(pid_t pid, const Exit& e) {
  auto it = tool_logs_.find(pid);
  if (it == tool_logs_.end()) return;
  const std::string log = it->second;
  tool_logs_.erase(it);
  if (e.exited && e.code == 99 && ReadFile(Path(log + ".err")).empty()) {
    ADD_FAILURE() << "a tool exited 99 with nothing on stderr (log " << Path(log) << ".*): "
                  << "every failure must say why";
  }
}

bool Sandbox::WaitForOutput(const std::string& log,
                            const std::function<bool(const std::string&)>& pred,
                            absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (pred(ReadFile(Path(log + ".out")))) return true;
    usleep(10 * 1000);
  }
  return false;
}

bool Sandbox::WaitForPeers(int count, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    const std::string status = Command({"-s"}).out;
    const size_t at = status.find("NUM_PEERS=");
    if (at != std::string::npos && atoi(status.c_str() + at + 10) >= count) return true;
    usleep(50 * 1000);
  }
  return false;
}

bool Sandbox::WaitForLine(const std::string& log, const std::string& line, absl::Duration timeout) {
  return WaitForOutput(
      log,
      [&](const std::string& text) {
        for (absl::string_view l : absl::StrSplit(text, '\n')) {
          if (l == line) return true;
        }
        return false;
      },
      timeout);
}

std::vector<std::string> Sandbox::Images(const std::string& in) const {
  const std::string dir = in.empty() ? dir_ : in;
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name.rfind("ckpt_", 0) == 0 && name.size() > 6 &&
        name.compare(name.size() - 6, 6, ".dmtcp") == 0) {
      out.push_back(dir + "/" + name);
    }
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

Exit Sandbox::CheckpointKillRestart(const std::vector<std::string>& program,
                                    const std::string& log, int checkpoints) {
  const pid_t pid = Launch(program, log);
  if (!WaitForLine(log, "ready")) {
    ADD_FAILURE() << program[0] << " never got ready: " << ReadFile(Path(log + ".err"));
    return Exit();
  }
  for (int i = 0; i < checkpoints; i++) {
    Output ck = Command({"--bcheckpoint"});
    if (ck.exit.code != 0) {
      ADD_FAILURE() << "checkpoint " << i + 1 << " failed: " << ck.out << ck.err;
      return Exit();
    }
  }
  kill(pid, SIGKILL);
  Wait(pid);
  const pid_t restarted = Restart(Images(), "restart");
  usleep(200 * 1000);  // let the restored program run a while before it checks itself
  WriteFile(Path("go"), "");
  return Wait(restarted);
}

}  // namespace dmtcp_test
