// plugin_api.h - plugins from outside the runtime (the public dmtcp.h).
#ifndef CORE_RUNTIME_PLUGIN_API_H
#define CORE_RUNTIME_PLUGIN_API_H

namespace rt {

// At startup: lets each preloaded plugin register (DMTCP_DECL_PLUGIN), then sends
// them DMTCP_EVENT_INIT.
void StartExternalPlugins();

// Sends every registered plugin `event` (a DmtcpEvent_t) where the runtime's own
// events (hooks.h) have no equivalent: PRESUSPEND, RUNNING, ATFORK_CHILD.
void ExternalPluginEvent(int event, bool restart);
// DMTCP_EVENT_PRE_EXEC with what is about to be exec'ed (fexecve: file is null).
void ExternalPreExecEvent(const char* file, char* const argv[], char* const envp[]);

}  // namespace rt

#endif  // CORE_RUNTIME_PLUGIN_API_H
