// dmtcp_launch [options] program [args...]
//
// Makes sure a coordinator runs (joining the one at DMTCP_COORD_HOST:DMTCP_COORD_PORT,
// or starting one), then execs the program with the runtime preloaded. The program's
// exit code is therefore passed on unchanged.
#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "arch/arch.h"
#include "core/image/arch_names.h"
#include "core/common/env_names.h"
#include "core/common/exit_codes.h"
#include "core/common/signal_names.h"
#include "core/tools/arg_reader.h"
#include "core/tools/coordinator_launcher.h"
#include "core/tools/self_check.h"
#include "core/layout/tool_paths.h"

namespace dmtcp {
namespace {

constexpr char kUsage[] =
    "Usage: dmtcp_launch [options] program [args...]\n"
    "Runs program under checkpoint control.\n\n"
    "Coordinator:\n"
    "  -h, --coord-host H      coordinator host (default $DMTCP_COORD_HOST or localhost)\n"
    "  -p, --coord-port P      coordinator port (default $DMTCP_COORD_PORT or 7779; 0: any)\n"
    "      --port-file F       write the coordinator's port to F\n"
    "  -j, --join-coordinator  fail if no coordinator answers\n"
    "      --new-coordinator   start a new coordinator (fails if the port is taken)\n"
    "      --no-coordinator    join no shared coordinator: the computation gets one of its\n"
    "                          own on a free port (see --port-file), gone with it\n"
    "  -i, --interval N        checkpoint every N seconds (0: never)\n"
    "Checkpoints:\n"
    "      --ckptdir D         write images in D, created if missing (default\n"
    "                          $DMTCP_CHECKPOINT_DIR or .)\n"
    "      --no-gzip           uncompressed images (also DMTCP_GZIP=0)\n"
    "      --gzip              compressed images (the default)\n"
    "      --ckpt-signal N     signal used to stop threads (default 12, SIGUSR2)\n"
    "      --ckpt-on-signal S  (also DMTCP_CKPT_ON_SIGNAL) a signal (USR1, SIGUSR1, 10)\n"
    "                          that, sent to any process of the computation, checkpoints\n"
    "                          it (a batch system's warning); the program no longer sees it\n"
    "      --checkpoint-open-files, --ckpt-open-files  (also DMTCP_CKPT_OPEN_FILES=1)\n"
    "                          save the contents of open files (up to 16 MiB each);\n"
    "                          a restart recreates those that are gone\n"
    "      --allow-file-overwrite  (also DMTCP_ALLOW_OVERWRITE_WITH_CKPTED_FILES=1)\n"
    "                          with --checkpoint-open-files: a restart puts the saved\n"
    "                          contents back over the files it finds\n"
    "      --enable-unique-checkpoint-filenames, --disable-unique-checkpoint-filenames\n"
    "                          (also DMTCP_UNIQUE_CKPT_PLUGIN=1/0) each checkpoint in a\n"
    "                          folder of its own, ckpt_<computation>_<number>, so that\n"
    "                          earlier ones are kept\n"
    "      --with-plugin P[:P...]  (also DMTCP_PLUGIN) load these plugins (absolute\n"
    "                          paths; built against the installed dmtcp.h) into\n"
    "                          every process of the computation, in this order\n"
    "      --pathvirt          (also DMTCP_PATHVIRT=1) paths under a virtual prefix\n"
    "                          reach a physical one: DMTCP_PATH_MAPPING=\n"
    "                          \"virtual:physical[;...]\" at launch, and dmtcp_restart's\n"
    "                          at a restart (files elsewhere on another machine)\n"
    "      --modify-env        (also DMTCP_MODIFY_ENV=1) after a restart, apply the\n"
    "                          dmtcp_env.txt beside the images: NAME=value (with $VAR\n"
    "                          from dmtcp_restart's environment), or NAME to unset it\n"
    "      --tmpdir D          scratch files in D/dmtcp-USER@HOST (also $DMTCP_TMPDIR;\n"
    "                          default $TMPDIR or /tmp)\n"
    "Other:\n"
    "      --check             report which kernel and libc features are available\n"
    "  -q, --quiet             fewer messages\n"
    "      --help              this text\n"
    "Plugins:\n"
    "      --disable-plugin N[,N...]  do not run these plugins: a built-in one (files,\n"
    "                          pipes, sockets, terminals, mqueues, sysv_ipc,\n"
    "                          posix_timers, events) or one loaded with --with-plugin\n"
    "                          (by its name); a disabled resource plugin leaves its\n"
    "                          descriptors out of the images, and a restart says which\n"
    "                          were not restored. For finding which plugin a problem\n"
    "                          comes from. Also DMTCP_DISABLE_PLUGINS.\n"
    "      --disable-all-plugins   every built-in resource plugin (memory, threads,\n"
    "                          the process tree and the --with-plugin ones remain)\n"
    "      --disable-file-plugin, --disable-socket-plugin, --disable-pty-plugin,\n"
    "      --disable-svipc-plugin, --disable-timer-plugin, --disable-event-plugin:\n"
    "                          DMTCP's names for files, sockets, terminals, sysv_ipc,\n"
    "                          posix_timers, events\n"
    "Accepted for DMTCP's scripts, with no effect here: --disable-alloc-plugin,\n"
    "--disable-dl-plugin, --disable-ssh-plugin, --disable-pid-plugin (no such plugins:\n"
    "allocation needs no wrapper, pids are part of the core), --any-coordinator (the\n"
    "default), --coord-logfile F (the coordinator started here logs nothing).\n";

// DMTCP's switches for plugins we do not have as plugins: accepted and ignored.
constexpr const char* kIgnoredSwitches[] = {"--disable-alloc-plugin", "--disable-dl-plugin",
                                            "--disable-ssh-plugin", "--disable-pid-plugin",
                                            "--any-coordinator"};

// DMTCP's switches for one of its built-in plugins, and ours that does the same.
constexpr std::pair<const char*, const char*> kDmtcpPluginSwitches[] = {
    {"--disable-file-plugin", "files"},    {"--disable-socket-plugin", "sockets"},
    {"--disable-pty-plugin", "terminals"}, {"--disable-svipc-plugin", "sysv_ipc"},
    {"--disable-timer-plugin", "posix_timers"}, {"--disable-event-plugin", "events"}};

struct Options {
  CoordinatorAddress coord;
  CoordinatorMode mode = CoordinatorMode::kJoinOrStart;
  std::string port_file;
  int interval = -1;
  std::string ckptdir;
  int gzip = -1;  // -1: from the environment
  int ckpt_signal = 0;
  int request_signal = 0;  // --ckpt-on-signal
  bool quiet = false;
  bool check = false;
  int open_files = -1;   // -1: from the environment
  int overwrite = -1;
  int unique = -1;
  bool modify_env = false;
  bool pathvirt = false;
  std::string plugins;  // --with-plugin or $DMTCP_PLUGIN: absolute paths, ':'-separated
  std::vector<std::string> disabled;  // plugin names, or "all"
  std::string tmpdir;
  std::vector<char*> program;
};

const char* DmtcpPluginSwitch(ArgReader& args) {
  for (const auto& [name, ours] : kDmtcpPluginSwitches) {
    if (args.Is(name)) return ours;
  }
  return nullptr;
}

bool IgnoredSwitch(ArgReader& args) {
  for (const char* name : kIgnoredSwitches) {
    if (args.Is(name)) return true;
  }
  return false;
}

Options Parse(int argc, char** argv) {
  Options o;
  o.coord = CoordinatorFromEnvironment();
  ArgReader args(argc, argv);
  while (args.Next()) {
    if (args.Is("--")) {
      if (args.Next()) o.program = args.Rest();
      break;
    }
    if (!args.IsOption()) {
      o.program = args.Rest();
      break;
    }
    if (TakeCoordinatorOption(args, &o.coord, &o.mode)) continue;
    if (args.Is("--port-file")) {
      o.port_file = args.Value();
    } else if (args.Is("-i", "--interval")) {
      o.interval = static_cast<int>(args.Number(0, 1 << 30));
    } else if (args.Is("--ckptdir", "-c")) {
      o.ckptdir = args.Value();
    } else if (args.Is("--no-gzip")) {
      o.gzip = 0;
    } else if (args.Is("--gzip")) {
      o.gzip = 1;
    } else if (args.Is("--ckpt-signal")) {
      o.ckpt_signal = static_cast<int>(args.Number(1, 64));
      if (o.ckpt_signal == SIGKILL || o.ckpt_signal == SIGSTOP) {
        Fail("--ckpt-signal must be a signal a handler can catch");
      }
    } else if (args.Is("--ckpt-on-signal")) {
      const std::string name = args.Value();
      o.request_signal = signal_number(name.c_str());
      if (o.request_signal == 0 || o.request_signal == SIGKILL || o.request_signal == SIGSTOP) {
        Fail(absl::StrCat("--ckpt-on-signal: '", name, "' is not a signal a handler can catch"));
      }
    } else if (args.Is("--checkpoint-open-files", "--ckpt-open-files")) {
      o.open_files = 1;
    } else if (args.Is("--allow-file-overwrite")) {
      o.overwrite = 1;
    } else if (args.Is("--enable-unique-checkpoint-filenames")) {
      o.unique = 1;
    } else if (args.Is("--disable-unique-checkpoint-filenames")) {
      o.unique = 0;
    } else if (args.Is("--with-plugin")) {
      o.plugins = args.Value();
    } else if (args.Is("--pathvirt")) {
      o.pathvirt = true;
    } else if (args.Is("--modify-env")) {
      o.modify_env = true;
    } else if (args.Is("--tmpdir")) {
      o.tmpdir = args.Value();
    } else if (args.Is("--coord-logfile")) {
      args.Value();  // see --help
    } else if (args.Is("--disable-plugin")) {
      o.disabled.push_back(args.Value());
    } else if (args.Is("--disable-all-plugins")) {
      o.disabled.push_back("all");
    } else if (const char* ours = DmtcpPluginSwitch(args)) {
      o.disabled.push_back(ours);
    } else if (IgnoredSwitch(args)) {
      continue;
    } else if (args.Is("-q", "--quiet")) {
      o.quiet = true;
    } else if (args.Is("--check")) {
      o.check = true;
    } else if (args.Is("--help")) {
      fputs(kUsage, stdout);
      exit(0);
    } else {
      args.Unknown();
    }
  }
  if (o.program.empty()) o.program.push_back(nullptr);
  return o;
}

struct ElfInfo {
  bool is_elf = false;
  bool is_static = false;  // no PT_INTERP/PT_DYNAMIC: LD_PRELOAD is ignored
  int bits = 0;
  unsigned machine = 0;
};

ElfInfo InspectExecutable(const std::string& path) {
  ElfInfo info;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return info;
  unsigned char ident[EI_NIDENT];
  if (read(fd, ident, sizeof ident) != (ssize_t)sizeof ident || memcmp(ident, ELFMAG, SELFMAG) != 0) {
    close(fd);
    return info;  // a script: its interpreter is what runs
  }
  info.is_elf = true;
  info.bits = ident[EI_CLASS] == ELFCLASS64 ? 64 : 32;
  uint64_t phoff = 0;
  unsigned phnum = 0, phentsize = 0;
  Elf64_Ehdr eh64;
  Elf32_Ehdr eh32;
  if (info.bits == 64 && pread(fd, &eh64, sizeof eh64, 0) == (ssize_t)sizeof eh64) {
    phoff = eh64.e_phoff, phnum = eh64.e_phnum, phentsize = eh64.e_phentsize;
    info.machine = eh64.e_machine;
  } else if (info.bits == 32 && pread(fd, &eh32, sizeof eh32, 0) == (ssize_t)sizeof eh32) {
    phoff = eh32.e_phoff, phnum = eh32.e_phnum, phentsize = eh32.e_phentsize;
    info.machine = eh32.e_machine;
  }
  info.is_static = true;
  for (unsigned k = 0; k < phnum; k++) {
    uint32_t type = 0;
    if (pread(fd, &type, sizeof type, (off_t)(phoff + (uint64_t)k * phentsize)) == 4 &&
        (type == PT_INTERP || type == PT_DYNAMIC)) {
      info.is_static = false;
    }
  }
  close(fd);
  return info;
}

std::string FindInPath(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

}  // namespace
}  // namespace dmtcp

int main(int argc, char** argv) {
  using namespace dmtcp;
  SetProgramName(argv[0]);
  Options o = Parse(argc, argv);
  if (o.check) return RunSelfCheck() ? 0 : FailRc();
  if (o.program.size() < 2) Fail("no program to run (see --help)");
  if (o.request_signal != 0 && o.request_signal == (o.ckpt_signal > 0 ? o.ckpt_signal : static_cast<int>(SIGUSR2))) {
    Fail("--ckpt-on-signal cannot be the signal that stops threads (--ckpt-signal)");
  }

  const std::string program = FindInPath(o.program[0]);
  if (program.empty() || access(program.c_str(), X_OK) != 0) {
    Fail(absl::StrCat("cannot run '", o.program[0], "': no such executable"));
  }
  const ElfInfo elf = InspectExecutable(program);
  const uint32_t arch = elf.is_elf ? img::ArchOfElf(elf.machine, elf.bits, ARCH_ID) : static_cast<uint32_t>(ARCH_ID);
  if (FilesForArch(arch).runtime.empty()) {
    Fail(absl::StrCat(program, " is a ", elf.bits, "-bit ", arch ? img::ArchName(arch) : "unknown-CPU",
                      " program, and no ", arch ? img::ArchName(arch) : "such", " runtime is installed "
                      "beside this ", ARCH_NAME, " dmtcp_launch (see ci/install --with)"));
  }
  if (elf.is_static) {
    Fail(absl::StrCat(o.program[0], " is statically linked: the checkpointer is preloaded "
                                    "with LD_PRELOAD, which static programs ignore"));
  }

  CoordinatorStartOptions start;
  start.interval = o.interval;
  start.quiet = true;
  absl::StatusOr<CoordinatorAddress> coord = EnsureCoordinator(o.coord, o.mode, start);
  if (!coord.ok()) Fail(coord.status());
  // From here on, a failure also takes down a coordinator started for this launch.
  auto fail = [&](const auto& why) {
    QuitIfStarted(*coord);
    Fail(why);
  };
  if (!o.port_file.empty()) {
    FILE* f = fopen(o.port_file.c_str(), "w");
    if (f == nullptr) fail(absl::StrCat("cannot write ", o.port_file, ": ", strerror(errno)));
    fprintf(f, "%d\n", coord->port);
    fclose(f);
  }

  std::string ckptdir = o.ckptdir;
  if (ckptdir.empty() && getenv(ENV_CHECKPOINT_DIR) != nullptr) ckptdir = getenv(ENV_CHECKPOINT_DIR);
  ckptdir = Absolute(ckptdir.empty() ? "." : ckptdir);
  if (std::string why = MakeDirs(ckptdir, kPrivateDir); !why.empty()) {
    fail(absl::StrCat("cannot create checkpoint directory ", why));
  }
  if (access(ckptdir.c_str(), W_OK) != 0) {
    fail(absl::StrCat("checkpoint directory ", ckptdir, " is not writable: ", strerror(errno)));
  }

  if (!o.tmpdir.empty()) {
    o.tmpdir = Absolute(o.tmpdir);
    if (std::string why = MakeDirs(o.tmpdir); !why.empty()) fail(absl::StrCat("cannot create --tmpdir ", why));
  } else if (const char* dir = getenv(ENV_TMPDIR); dir != nullptr && dir[0] != '\0') {
    MakeDirs(dir);  // DMTCP makes it too; the runtime's own folder goes inside
  }

  // Plugins first: their wrappers are the outermost (core/api/dmtcp.h).
  if (o.plugins.empty() && getenv(ENV_PLUGIN) != nullptr) o.plugins = getenv(ENV_PLUGIN);
  std::string preload = PreloadValue();
  if (!o.plugins.empty()) {
    for (absl::string_view plugin : absl::StrSplit(o.plugins, ':', absl::SkipEmpty())) {
      const std::string path(plugin);
      if (path[0] != '/') fail(absl::StrCat("--with-plugin needs absolute paths: ", path));
      if (access(path.c_str(), R_OK) != 0) fail(absl::StrCat("cannot read the plugin ", path, ": ", strerror(errno)));
    }
    // Then DMTCP's C++ plugin API (core/api/kvdb.h), which C++ plugins built for DMTCP
    // expect our runtime to provide; kept out of programs without plugins (libstdc++).
    preload = o.plugins + ":" + PreloadValue("libdmtcp_cxx.so") + ":" + preload;
    setenv(ENV_PLUGIN, o.plugins.c_str(), 1);
  }
  const char* old_preload = getenv(ENV_LD_PRELOAD);
  if (old_preload != nullptr && *old_preload) {
    setenv(ENV_ORIG_LD_PRELOAD, old_preload, 1);  // for dmtcp_nocheckpoint
    preload += std::string(":") + old_preload;
  }
  setenv(ENV_LD_PRELOAD, preload.c_str(), 1);
  setenv(ENV_COORD_HOST, coord->host.c_str(), 1);
  setenv(ENV_COORD_PORT, std::to_string(coord->port).c_str(), 1);
  setenv(ENV_RUNTIME_COORD_ADDR, coord->numeric_host.c_str(), 1);
  // ssh and rsh run by the program start their commands in the computation.
  if (const std::string ssh = SiblingPath("dmtcp_ssh"); access(ssh.c_str(), X_OK) == 0) {
    setenv(ENV_RUNTIME_SSH, ssh.c_str(), 1);
  }
  setenv(ENV_CHECKPOINT_DIR, ckptdir.c_str(), 1);
  if (o.gzip >= 0) setenv(ENV_GZIP, o.gzip ? "1" : "0", 1);
  if (o.ckpt_signal > 0) setenv(ENV_SIGCKPT, std::to_string(o.ckpt_signal).c_str(), 1);
  if (o.request_signal > 0) setenv(ENV_CKPT_ON_SIGNAL, std::to_string(o.request_signal).c_str(), 1);
  if (o.interval >= 0) setenv(ENV_RUNTIME_INTERVAL, std::to_string(o.interval).c_str(), 1);
  if (o.open_files >= 0) setenv(ENV_CKPT_OPEN_FILES, o.open_files ? "1" : "0", 1);
  if (o.overwrite >= 0) setenv(ENV_ALLOW_OVERWRITE, o.overwrite ? "1" : "0", 1);
  if (o.unique >= 0) setenv(ENV_UNIQUE_CKPT, o.unique ? "1" : "0", 1);
  if (!o.tmpdir.empty()) setenv(ENV_TMPDIR, o.tmpdir.c_str(), 1);
  if (o.modify_env) setenv(ENV_MODIFY_ENV, "1", 1);
  if (o.pathvirt) setenv(ENV_PATHVIRT, "1", 1);
  if (!o.disabled.empty()) {
    const char* before = getenv(ENV_DISABLE_PLUGINS);
    if (before != nullptr && before[0] != '\0') o.disabled.push_back(before);
    setenv(ENV_DISABLE_PLUGINS, absl::StrJoin(o.disabled, ",").c_str(), 1);
  }

  execv(program.c_str(), o.program.data());
  fail(absl::StrCat("cannot run '", program, "': ", strerror(errno)));
}
