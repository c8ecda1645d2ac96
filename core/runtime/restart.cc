#include "core/runtime/restart.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <stdlib.h>

#include "core/api/dmtcp.h"
#include "core/common/fds.h"
#include "core/common/fmt.h"
#include "core/common/raw_syscalls.h"
#include "core/runtime/checkpoint.h"
#include "core/runtime/checkpoint_thread.h"
#include "core/runtime/config.h"
#include "core/runtime/coordinator_link.h"
#include "core/runtime/fd_table.h"
#include "core/runtime/hooks.h"
#include "core/runtime/log.h"
#include "core/runtime/path_mapping.h"
#include "core/runtime/pid_table.h"
#include "core/runtime/plugin_api.h"
#include "core/runtime/process_state.h"
#include "core/runtime/signals.h"
#include "core/runtime/threads.h"

extern char** environ;

namespace rt {
namespace {

char g_restart_info[8192];

// dmtcp_restart passes the new coordinator and settings as key=value text on
// FD_RESTART_INFO: coord_addr, coord_port, and ckptdir and tmpdir when given.
void ReadRestartInfo(char* image, size_t image_size) {
  char* info = g_restart_info;
  long n = sys::read(FD_RESTART_INFO, info, sizeof g_restart_info - 1);
  sys::close(FD_RESTART_INFO);
  info[n > 0 ? n : 0] = '\0';
  char value[IMG_PATH_MAX];
  if (PayloadValue(info, "coord_addr", value, sizeof value)) {
    fmt_format(g_config.coord_addr, sizeof g_config.coord_addr, "%s", value);
  }
  if (PayloadValue(info, "coord_port", value, sizeof value)) g_config.coord_port = atoi(value);
  if (PayloadValue(info, "ckptdir", value, sizeof value) && value[0] == '/') {
    fmt_format(g_config.ckptdir, sizeof g_config.ckptdir, "%s", value);
  }
  if (PayloadValue(info, "interval", value, sizeof value)) g_config.interval = atoi(value);
  if (PayloadValue(info, "tmpdir", value, sizeof value) && value[0] == '/') SetTmpdir(value);
  if (g_config.pathvirt && PayloadValue(info, "path_mapping", value, sizeof value)) SetPathMapping(value);
  if (!PayloadValue(info, "image", image, image_size)) image[0] = '\0';
}

// Waits for the coordinator's go-ahead; returns false if it went away.
bool WaitForRestartBarrier() {
  static CoordMessage m;
  for (;;) {
    if (CoordReceive(&m) < 0) return false;
    if (m.header.type == MSG_KILL) sys::kill(sys::getpid(), SIGKILL);
    if (m.header.type == MSG_PHASE && m.header.arg[1] == PHASE_RESTART_RESUME) {
      g_config.ckpt_number = (uint64_t)m.header.arg[0];
      // Every process of the computation is back: learn their new pids.
      static char pids[PROTO_MAX_PAYLOAD];
      ClearIds();
      if (PayloadValue(m.payload, "pids", pids, sizeof pids)) LoadProcessIds(pids);
      // Children that had exited, remade by dmtcp_restart (img_zombie): they are
      // ours alone, so the coordinator does not know them.
      if (PayloadValue(g_restart_info, "zombies", pids, sizeof pids)) LoadProcessIds(pids);
      RegisterRestoredThreadIds();
      // Plugins hear of the restart while every process is back and none is running
      // yet, so their barriers and name-service requests meet no checkpoint.
      ExternalPluginEvent(DMTCP_EVENT_RESTART, true);
      CoordSend(MSG_PHASE_DONE, 0, m.header.arg[0], PHASE_RESTART_RESUME, 0, "");
      return true;
    }
  }
}

// dmtcp_env.txt as dmtcp_restart resolved it: "NAME=value" or "NAME" (unset), joined
// by \x1f. Applied before the threads run again, so no thread sees the old values;
// without setenv, which allocates (a frozen thread may hold the allocator's lock): a
// new environ array in a mapping of its own points at the kept entries and at the new
// ones, which stay in a static buffer. glibc's setenv copies such an array when next
// called.
void ModifyEnvironment() {
  static char entries[sizeof g_restart_info];
  if (!PayloadValue(g_restart_info, "modify_env", entries, sizeof entries)) return;
  char* changes[512];
  int n_changes = 0;
  for (char* entry = entries; *entry != '\0' && n_changes < 512;) {
    char* end = strchr(entry, '\x1f');
    if (end != nullptr) *end = '\0';
    changes[n_changes++] = entry;
    Trace("restart: modify-env %s%s", entry, strchr(entry, '=') ? "" : " (unset)");
    if (end == nullptr) break;
    entry = end + 1;
  }
  size_t old_count = 0;
  while (environ != nullptr && environ[old_count] != nullptr) old_count++;
  const size_t bytes = (old_count + (size_t)n_changes + 1) * sizeof(char*);
  char** fresh = static_cast<char**>(
      sys::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (sys::failed(fresh)) return;
  auto same_name = [](const char* a, const char* b) {
    const size_t na = strcspn(a, "="), nb = strcspn(b, "=");
    return na == nb && memcmp(a, b, na) == 0;
  };
  size_t count = 0;
  for (size_t i = 0; i < old_count; i++) {
    bool changed = false;
    for (int k = 0; k < n_changes && !changed; k++) changed = same_name(environ[i], changes[k]);
    if (!changed) fresh[count++] = environ[i];
  }
  for (int k = 0; k < n_changes; k++) {
    if (strchr(changes[k], '=') != nullptr) fresh[count++] = changes[k];
  }
  fresh[count] = nullptr;
  environ = fresh;
}

}  // namespace

bool RestartSetting(const char* key, char* out, unsigned long size) {
  return PayloadValue(g_restart_info, key, out, size);
}

void FinishRestart() {
  NoteCheckpointThreadId();
  NoteEmulation();  // the restart may have moved the program into or out of QEMU
  if (__atomic_load_n(&g_restart_block.magic, __ATOMIC_ACQUIRE) != RESTART_BLOCK_MAGIC) {
    Warn("restart: the restorer left no restart block; continuing");
  }
  WaitForRestoredThreads((int)g_restart_block.n_threads - 1);
  const struct restart_block rb = g_restart_block;  // settled now that all are back
  NoteForeignThreads(IsRestoredThread);  // a new emulator brings its own helpers
  RestoreCallingThread(CheckpointThreadSlot());
  if (rb.hole_len != 0) sys::munmap((void*)(uintptr_t)rb.hole_start, rb.hole_len);
  RestoreSignalDispositions();
  GiveBackSignals(&CheckpointThreadSlot()->taken, false);
  RestoreProcessState(g_process_state);

  // Asked at launch or by dmtcp_restart (--debug-restart-pause): stop before joining
  // the coordinator, so that the computation does not run on until a debugger is done.
  // Said on dmtcp_restart's terminal: still our stderr here.
  char image[IMG_PATH_MAX];
  ReadRestartInfo(image, sizeof image);
  char pause[8];
  const bool paused =
      g_config.restart_pause || (RestartSetting("pause", pause, sizeof pause) && pause[0] == '1');
  if (paused) {
    const long pid = sys::getpid();
    Warn("restarted; pausing before it resumes (DMTCP_RESTART_PAUSE): attach a debugger with "
         "'gdb -p %ld', or let it go on with 'kill -CONT %ld'", pid, pid);
  }
  // stdin, stdout and stderr as they were (if dmtcp_restart could bring them back)
  // replace the restorer's, which were dmtcp_restart's.
  for (int fd = 0; fd <= 2; fd++) {
    if (sys::dup3(FD_SAVED_STDIO + fd, fd, 0) >= 0) sys::close(FD_SAVED_STDIO + fd);
  }
  RunHooks(Event::kRestart);
  RestoreGivenFds();
  WarnUnrestoredFds();
  if (paused) sys::kill(sys::getpid(), SIGSTOP);
  int rc = CoordConnect(g_config.coord_addr, g_config.coord_port, true, image);
  if (rc < 0 || !WaitForRestartBarrier()) {
    Warn("restart: no coordinator at %s:%d (errno %d); running without checkpoints",
         g_config.coord_addr, g_config.coord_port, rc < 0 ? -rc : ECONNRESET);
    ExternalPluginEvent(DMTCP_EVENT_RESTART, true);
  }
  // The SIGCHLD of a child that exited before the checkpoint may have been delivered
  // already, its handler not yet done with it: send one again; a spare does no harm.
  char zombies[16];
  if (RestartSetting("zombies", zombies, sizeof zombies) && zombies[0] != '\0') {
    sys::kill(sys::getpid(), SIGCHLD);
  }
  Trace("restart: %u thread(s) resume%s", rb.n_threads, rb.ids_kept ? " with their old ids" : "");
  if (g_config.modify_env) ModifyEnvironment();
  ResumeThreads();
  ExternalPluginEvent(DMTCP_EVENT_RUNNING, true);
}

}  // namespace rt
