// Plugins from outside (dmtcp_launch --with-plugin, DMTCP_PLUGIN), written against the
// public dmtcp.h: their libraries come before ours in LD_PRELOAD, so their wrappers
// are the outermost. At startup each declares itself (DMTCP_DECL_PLUGIN's
// dmtcp_initialize_plugin chain); the built-in "external" plugin below passes the
// runtime's events on to their hooks, in the order they were given.
#include <dlfcn.h>
#include <link.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "core/api/dmtcp.h"
#include "core/common/fmt.h"
#include "core/common/raw_syscalls.h"
#include "core/runtime/checkpoint_thread.h"
#include "core/runtime/config.h"
#include "core/runtime/coordinator_link.h"
#include "core/runtime/hooks.h"
#include "core/runtime/log.h"
#include "core/runtime/plugin_api.h"
#include "core/runtime/wrappers.h"


namespace rt {
namespace {

constexpr int kMaxExternal = 64;
DmtcpPluginDescriptor_t g_external[kMaxExternal];
int g_external_count;

// The library holding `address`.
struct link_map* LibraryAt(const void* address) {
  Dl_info info;
  struct link_map* map = nullptr;
  if (dladdr1(address, &info, reinterpret_cast<void**>(&map), RTLD_DL_LINKMAP) == 0) return nullptr;
  return map;
}

// The first definition of `symbol` (of `version`, if given) in the libraries loaded
// after `after`, each searched alone, in load order (the order of the global scope
// for preloaded libraries).
void* FindAfter(struct link_map* after, const char* symbol, const char* version) {
  for (struct link_map* map = after->l_next; map != nullptr; map = map->l_next) {
    if (map->l_name == nullptr || map->l_name[0] == '\0') continue;
    void* handle = dlopen(map->l_name, RTLD_LAZY | RTLD_NOLOAD);
    if (handle == nullptr) continue;
    void* found = version ? dlvsym(handle, symbol, version) : dlsym(handle, symbol);
    dlclose(handle);
    // dlsym on a handle also searches that library's dependencies: keep only a
    // definition in the library itself; its dependencies come later in the list.
    if (found != nullptr && LibraryAt(found) == map) return found;
  }
  return nullptr;
}

void* Lookup(void* handle, const char* symbol, const char* version, const void* caller) {
  if (handle != RTLD_NEXT) return version ? dlvsym(handle, symbol, version) : dlsym(handle, symbol);
  struct link_map* from = LibraryAt(caller);
  return from == nullptr ? nullptr : FindAfter(from, symbol, version);
}

void DeliverWith(DmtcpEvent_t event, DmtcpEventData_t* data) {
  for (int i = 0; i < g_external_count; i++) {
    if (g_external[i].event_hook == nullptr || PluginDisabled(g_external[i].pluginName, true)) continue;
    g_external[i].event_hook(event, data);
  }
}

void Deliver(DmtcpEvent_t event, bool restart) {
  DmtcpEventData_t data;
  memset(&data, 0, sizeof data);
  data.resumeUserThreadInfo.isRestart = restart ? 1 : 0;
  DeliverWith(event, &data);
}

void PreCheckpoint() { Deliver(DMTCP_EVENT_PRECHECKPOINT, false); }
void Resume() { Deliver(DMTCP_EVENT_RESUME, false); }

void AtExit() { Deliver(DMTCP_EVENT_EXIT, false); }

}  // namespace

// First at checkpoint: the external ones see the process as the program does.
// Their restart event comes from FinishRestart, once the process is back in the
// computation, so that its hooks can use the coordinator (barriers, the name service).
RUNTIME_PLUGIN(external, .save = PreCheckpoint, .resume = Resume, .order = 1000, .essential = true)

void StartExternalPlugins() {
  using InitFn = void (*)();
  InitFn first = reinterpret_cast<InitFn>(dlsym(RTLD_DEFAULT, "dmtcp_initialize_plugin"));
  if (first != nullptr) first();
  if (g_external_count == 0) return;
  Trace("%d plugin(s) registered", g_external_count);
  atexit(AtExit);
  Deliver(DMTCP_EVENT_INIT, false);
}

void ExternalPluginEvent(int event, bool restart) {
  Deliver(static_cast<DmtcpEvent_t>(event), restart);
}

void ExternalPreExecEvent(const char* file, char* const argv[], char* const envp[]) {
  if (g_external_count == 0) return;
  DmtcpEventData_t data;
  memset(&data, 0, sizeof data);
  data.preExec.serializationFd = -1;  // nothing is carried across exec this way
  data.preExec.filename = const_cast<char*>(file);
  data.preExec.argv = const_cast<const char**>(argv);
  data.preExec.envp = const_cast<const char**>(envp);
  for (; argv != nullptr && argv[data.preExec.maxArgs] != nullptr; data.preExec.maxArgs++) {
  }
  for (; envp != nullptr && envp[data.preExec.maxEnv] != nullptr; data.preExec.maxEnv++) {
  }
  DeliverWith(DMTCP_EVENT_PRE_EXEC, &data);
}

}  // namespace rt

EXPORT void dmtcp_register_plugin(DmtcpPluginDescriptor_t descriptor) {
  if (rt::g_external_count == rt::kMaxExternal) {
    rt::Warn("more than %d plugins: %s is not loaded", rt::kMaxExternal,
             descriptor.pluginName ? descriptor.pluginName : "(unnamed)");
    return;
  }
  rt::g_external[rt::g_external_count++] = descriptor;
}

EXPORT void dmtcp_initialize(void) {}  // the runtime starts in its constructor

// Waits until every process of the computation has reached the barrier `name` (or left
// it). From an event hook, which runs on the checkpoint thread: it alone talks to the
// coordinator. Elsewhere it warns and returns at once.
EXPORT void dmtcp_global_barrier(const char* name) {
  if (!rt::g_config.active) return;
  if (!rt::OnCheckpointThread()) {
    rt::Warn("dmtcp_global_barrier(%s) outside a plugin's event hook: not waited for", name);
    return;
  }
  char payload[256];
  fmt_format(payload, sizeof payload, "name=%s\n", name);
  if (rt::CoordSend(MSG_BARRIER, 0, 0, 0, 0, payload) < 0) return;
  static rt::CoordMessage m;
  char released[200];
  for (;;) {
    if (rt::CoordReceive(&m) < 0) return;  // no coordinator: nobody to wait for
    if (m.header.type == MSG_KILL) sys::kill(sys::getpid(), SIGKILL);
    if (m.header.type == MSG_BARRIER_RELEASE && rt::PayloadValue(m.payload, "name", released, sizeof released) &&
        strcmp(released, name) == 0) {
      return;
    }
  }
}

// Within one process every plugin runs on the same thread, one after the other.
EXPORT void dmtcp_local_barrier(const char*) {}

EXPORT void* dmtcp_dlsym(void* handle, const char* symbol) {
  return rt::Lookup(handle, symbol, nullptr, __builtin_return_address(0));
}

EXPORT void* dmtcp_dlvsym(void* handle, char* symbol, const char* version) {
  return rt::Lookup(handle, symbol, version, __builtin_return_address(0));
}

EXPORT void* dmtcp_dlsym_lib(const char* libname, const char* symbol) {
  struct link_map* map = rt::LibraryAt(reinterpret_cast<void*>(&dmtcp_dlsym_lib));
  while (map != nullptr && map->l_prev != nullptr) map = map->l_prev;
  const size_t n = strlen(libname);
  for (; map != nullptr; map = map->l_next) {
    const char* name = map->l_name != nullptr ? map->l_name : "";
    const char* slash = strrchr(name, '/');
    if (strncmp(slash != nullptr ? slash + 1 : name, libname, n) != 0) continue;
    void* handle = dlopen(name, RTLD_LAZY | RTLD_NOLOAD);
    if (handle == nullptr) continue;
    void* found = dlsym(handle, symbol);
    dlclose(handle);
    if (found != nullptr) return found;
  }
  return nullptr;
}
