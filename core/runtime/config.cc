#include "core/runtime/config.h"
#include "core/runtime/hooks.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arch/arch.h"
#include "core/common/env_names.h"
#include "core/common/fault.h"
#include "core/common/fmt.h"
#include "core/common/signal_names.h"
#include "core/runtime/log.h"
#include "core/runtime/path_mapping.h"
#include "core/common/raw_syscalls.h"

namespace rt {

Config g_config;

static void Copy(char* dst, unsigned size, const char* src) {
  fmt_format(dst, size, "%s", src ? src : "");
}

// Set, and neither empty nor "0".
static bool EnvFlag(const char* name) {
  const char* v = getenv(name);
  return v != nullptr && v[0] != '\0' && strcmp(v, "0") != 0;
}

static const char* Basename(const char* path) {
  const char* slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

bool LoadConfig() {
  const char* addr = getenv(ENV_RUNTIME_COORD_ADDR);
  const char* port = getenv(ENV_COORD_PORT);
  if (addr == nullptr || port == nullptr) return false;
  Config& c = g_config;
  Copy(c.coord_addr, sizeof c.coord_addr, addr);
  c.coord_port = atoi(port);
  const char* dir = getenv(ENV_CHECKPOINT_DIR);
  if (dir != nullptr && dir[0] == '/') {
    Copy(c.ckptdir, sizeof c.ckptdir, dir);
  } else if (getcwd(c.ckptdir, sizeof c.ckptdir) == nullptr) {
    Copy(c.ckptdir, sizeof c.ckptdir, "/tmp");
  }
  const char* gz = getenv(ENV_GZIP);
  c.gzip = !(gz != nullptr && strcmp(gz, "0") == 0);
  const char* sig = getenv(ENV_SIGCKPT);
  c.ckpt_signal = sig ? atoi(sig) : SIGUSR2;
  if (c.ckpt_signal <= 0 || c.ckpt_signal >= 65 || c.ckpt_signal == SIGKILL ||
      c.ckpt_signal == SIGSTOP) {
    c.ckpt_signal = SIGUSR2;
  }
  c.request_signal = signal_number(getenv(ENV_CKPT_ON_SIGNAL));
  if (c.request_signal == SIGKILL || c.request_signal == SIGSTOP || c.request_signal == c.ckpt_signal) {
    c.request_signal = 0;
  }
  const char* interval = getenv(ENV_RUNTIME_INTERVAL);
  c.interval = interval ? atoi(interval) : -1;
  const char* level = getenv(ENV_LOG_LEVEL);
  g_trace_enabled = EnvFlag(ENV_DEBUG) ||
                    (level != nullptr && (strcmp(level, "trace") == 0 || strcmp(level, "3") == 0));
  LogToFile(getenv(ENV_LOG_FILE));
  g_config.all_pages = EnvFlag(ENV_ALL_PAGES);
  g_config.ckpt_open_files = EnvFlag(ENV_CKPT_OPEN_FILES);
  g_config.allow_overwrite = EnvFlag(ENV_ALLOW_OVERWRITE);
  g_config.unique_ckpt = EnvFlag(ENV_UNIQUE_CKPT);
  g_config.modify_env = EnvFlag(ENV_MODIFY_ENV);
  DisablePlugins(getenv(ENV_DISABLE_PLUGINS));
  Copy(c.ssh_helper, sizeof c.ssh_helper, getenv(ENV_RUNTIME_SSH));
  arch_cpu_features(c.cpu_features, sizeof c.cpu_features);
  fault_configure(getenv(ENV_FAULT));
  g_config.pathvirt = EnvFlag(ENV_PATHVIRT);
  if (g_config.pathvirt) SetPathMapping(getenv(ENV_PATH_MAPPING));
  static const char* const kPauseNames[] = {ENV_RESTART_PAUSE, ENV_RESTART_PAUSE2,
                                             ENV_GDB_ATTACH_ON_RESTART};
  for (const char* name : kPauseNames) {
    if (EnvFlag(name)) g_config.restart_pause = true;
  }

  char exe[IMG_PATH_MAX];
  long n = sys::readlink("/proc/self/exe", exe, sizeof exe - 1);
  exe[n > 0 ? n : 0] = '\0';
  Copy(c.prog, sizeof c.prog, Basename(exe));
  Copy(c.exe, sizeof c.exe, exe);
  if (gethostname(c.host, sizeof c.host) != 0) Copy(c.host, sizeof c.host, "localhost");
  c.host[sizeof c.host - 1] = '\0';
  SetTmpdir(nullptr);
  // Unique across hosts, processes and time: host id, pid, launch time.
  fmt_format(c.uniq, sizeof c.uniq, "%08lx-%ld-%lx", (unsigned long)gethostid(), sys::getpid(),
             (unsigned long)time(nullptr));
  c.active = true;
  return true;
}

void SetTmpdir(const char* base) {
  static const char* const kNames[] = {ENV_TMPDIR, "TMPDIR"};
  for (const char* name : kNames) {
    if (base == nullptr || base[0] == '\0') base = getenv(name);
  }
  if (base == nullptr || base[0] == '\0') base = "/tmp";
  const char* user = getenv("USER");
  char uid[16];
  if (user == nullptr || user[0] == '\0') {
    fmt_format(uid, sizeof uid, "%ld", (long)getuid());
    user = uid;
  }
  fmt_format(g_config.tmpdir, sizeof g_config.tmpdir, "%s/dmtcp-%s@%s", base, user, g_config.host);
  sys::mkdir(g_config.tmpdir, 0700);  // best effort: dmtcp_launch made the base
}

void ImageFileName(char* out, unsigned size) {
  fmt_format(out, size, "ckpt_%s_%s.dmtcp", g_config.prog, g_config.uniq);
}

}  // namespace rt
