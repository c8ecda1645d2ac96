// The public API a program may call when it knows it runs under checkpoint control,
// with DMTCP's names (dmtcp.h): dmtcp_is_enabled, dmtcp_checkpoint,
// dmtcp_disable_ckpt, dmtcp_enable_ckpt, dmtcp_get_generation, and the status and
// path queries of dmtcp_get_*.
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/common/fds.h"
#include "core/common/fmt.h"
#include "core/common/raw_syscalls.h"
#include "core/protocol/protocol.h"
#include "core/runtime/checkpoint_thread.h"
#include "core/runtime/config.h"
#include "core/runtime/coordinator_command.h"
#include "core/runtime/pid_table.h"
#include "core/runtime/wrappers.h"


namespace {

// DMTCP's values (dmtcp.h).
constexpr int kAfterCheckpoint = 1;
constexpr int kAfterRestart = 2;
constexpr int kNotPresent = 3;
constexpr int kIsPresent = 4;

}  // namespace

EXPORT int dmtcp_is_enabled() { return rt::g_config.active ? 1 : 0; }

// Asks the coordinator for a blocking checkpoint of the whole computation and waits.
// Returns 1 once the image is written, 2 when returning in a restored process, 3 when
// not running under dmtcp (DMTCP's DMTCP_NOT_PRESENT), -1 on error.
EXPORT int dmtcp_checkpoint() {
  if (!rt::g_config.active) return kNotPresent;
  const int restarts = __atomic_load_n(&rt::g_restart_count, __ATOMIC_ACQUIRE);
  struct msg_header reply;
  // This thread is frozen inside recv() during the checkpoint. In a restored process
  // the socket is gone, so the call fails; the restart counter tells us why.
  const bool ok = rt::AskCoordinator(CMD_BCHECKPOINT, &reply);
  if (__atomic_load_n(&rt::g_restart_count, __ATOMIC_ACQUIRE) != restarts) return kAfterRestart;
  return ok && reply.status == DMT_COORD_SUCCESS ? kAfterCheckpoint : -1;
}

// How many processes the coordinator has, and whether they all run.
EXPORT int dmtcp_get_coordinator_status(int* peers, int* running) {
  if (!rt::g_config.active) return kNotPresent;
  struct msg_header reply;
  if (!rt::AskCoordinator(CMD_STATUS, &reply)) return -1;
  if (peers != nullptr) *peers = (int)reply.arg[0];
  if (running != nullptr) *running = (int)reply.arg[1];
  return kIsPresent;
}

// How many checkpoints this process has written, and restarts it has been through.
EXPORT int dmtcp_get_local_status(int* checkpoints, int* restarts) {
  if (!rt::g_config.active) return kNotPresent;
  if (checkpoints != nullptr) *checkpoints = __atomic_load_n(&rt::g_checkpoint_count, __ATOMIC_ACQUIRE);
  if (restarts != nullptr) *restarts = __atomic_load_n(&rt::g_restart_count, __ATOMIC_ACQUIRE);
  return kIsPresent;
}

EXPORT int dmtcp_is_running_state() { return rt::g_config.active && !rt::CheckpointInProgress() ? 1 : 0; }

// Where this process's images go, and its image's name.
EXPORT const char* dmtcp_get_ckpt_dir() { return rt::g_config.active ? rt::g_config.ckptdir : nullptr; }

EXPORT const char* dmtcp_get_ckpt_filename() {
  if (!rt::g_config.active) return nullptr;
  static char path[IMG_PATH_MAX + IMG_NAME_MAX * 2];
  char name[IMG_NAME_MAX * 2 + 16];
  rt::ImageFileName(name, sizeof name);
  fmt_format(path, sizeof path, "%s/%s", rt::g_config.ckptdir, name);
  return path;
}

EXPORT const char* dmtcp_get_uniquepid_str() { return rt::g_config.active ? rt::g_config.uniq : nullptr; }

// The computation's private scratch folder, $DMTCP_TMPDIR/dmtcp-USER@HOST (or under
// $TMPDIR or /tmp), made by dmtcp_launch and dmtcp_restart.
EXPORT const char* dmtcp_get_tmpdir() { return rt::g_config.active ? rt::g_config.tmpdir : nullptr; }

// The number of the computation's last checkpoint (0 before the first); programs poll
// it to learn that a checkpoint they asked for has happened.
EXPORT unsigned dmtcp_get_generation() {
  return (unsigned)__atomic_load_n(&rt::g_config.ckpt_number, __ATOMIC_ACQUIRE);
}

EXPORT int dmtcp_disable_ckpt() {
  rt::DisableCheckpoints();
  return 1;
}

EXPORT int dmtcp_enable_ckpt() {
  rt::EnableCheckpoints();
  return 1;
}

// For a wrapper that must not be cut by a checkpoint (DMTCP_PLUGIN_DISABLE_CKPT): 1 if
// checkpoints are now held off until dmtcp_plugin_enable_ckpt(), 0 where that is not
// needed (no checkpointer, or on the checkpoint thread itself, from an event hook).
EXPORT int dmtcp_plugin_disable_ckpt() {
  if (!rt::g_config.active || rt::OnCheckpointThread()) return 0;
  rt::DisableCheckpoints();
  return 1;
}

EXPORT void dmtcp_plugin_enable_ckpt() {
  if (rt::g_config.active && !rt::OnCheckpointThread()) rt::EnableCheckpoints();
}

// Process and thread ids as the program knows them (virtual) and as the kernel does.
EXPORT pid_t dmtcp_pid_virtual_to_real(pid_t pid) { return (pid_t)rt::VirtualToReal(pid); }
EXPORT pid_t dmtcp_pid_real_to_virtual(pid_t pid) { return (pid_t)rt::RealToVirtual(pid); }

EXPORT int dmtcp_get_ckpt_signal() { return rt::g_config.active ? rt::g_config.ckpt_signal : 0; }

EXPORT const char* dmtcp_get_computation_id_str() {
  return rt::g_config.active ? rt::g_config.compid : nullptr;
}

// The program's, as it started: after a restart under QEMU /proc/self/exe would name
// the restorer (the emulator keeps the binary it was started with).
EXPORT const char* dmtcp_get_executable_path() {
  if (rt::g_config.exe[0] != '\0') return rt::g_config.exe;
  static char path[IMG_PATH_MAX];
  long n = sys::readlink("/proc/self/exe", path, sizeof path - 1);
  path[n > 0 ? n : 0] = '\0';
  return path;
}

// Where the next images go; an absolute path (a relative one is taken from the
// current directory, as dmtcp_launch --ckptdir does).
EXPORT int dmtcp_set_ckpt_dir(const char* dir) {
  if (!rt::g_config.active) return kNotPresent;
  if (dir == nullptr || dir[0] == '\0') return -1;
  char path[IMG_PATH_MAX];
  size_t n = 0;
  if (dir[0] != '/') {
    if (getcwd(path, sizeof path) == nullptr) return -1;
    n = strlen(path);
    n += fmt_format(path + n, sizeof path - n, "/");
  }
  if (fmt_format(path + n, sizeof path - n, "%s", dir) + n >= sizeof path - 1) return -1;
  memcpy(rt::g_config.ckptdir, path, sizeof path);
  return kIsPresent;
}

// Whether `fd` is one the runtime keeps for itself (the coordinator's connection, ...).
EXPORT int dmtcp_is_protected_fd(int fd) { return fd >= FD_RUNTIME_LOWEST && fd <= FD_API ? 1 : 0; }
