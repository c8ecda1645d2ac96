// hooks.h - how resource plugins take part in checkpoint and restart.
//
// A plugin is one source file that handles one kind of resource (files, pipes,
// sockets, ...). It registers a handler for the runtime's events; each plugin keeps
// what it saved in its own static memory, which the image captures with the rest of
// the process, so after a restart it finds its saved state where it left it.
#ifndef CORE_RUNTIME_HOOKS_H
#define CORE_RUNTIME_HOOKS_H

#include "core/image/writer.h"

namespace rt {

// Constructor priorities within libdmtcp.so: plugins first, then the runtime.
#define RUNTIME_PLUGIN_PRIORITY 101
#define RUNTIME_START_PRIORITY 200

enum class Event {
  kDrain,          // this process's threads are frozen; others may still be stopping:
                   // let data it already sent reach its peers before anyone saves
  kPreCheckpoint,  // every process is frozen; save state that memory alone does not hold
  kResume,         // the same process continues after writing its image
  kRestart,        // a restored process, before its threads run again
};

struct Plugin {
  const char* name;
  void (*on_event)(Event event);
  // Optional: records for dmtcp_restart, which needs to know of resources shared
  // between processes (pipes) before any process is restored. Returns 0 or -errno.
  int (*write_records)(img::ImageWriter* writer);
  // Restart hooks run in increasing order (checkpoint hooks in decreasing order).
  int order;
};

// Called from a plugin's static initializer.
void RegisterPlugin(const Plugin* plugin);
void RunHooks(Event event);
int WritePluginRecords(img::ImageWriter* writer);

// Declares and registers a plugin:
//   RUNTIME_PLUGIN(files, OnFilesEvent[, WriteRecords[, order]]);
// Plugins register before the runtime starts (runtime.cc), since a process may be
// asked to checkpoint the moment it joins, before main().
#define RUNTIME_PLUGIN(name, ...)                                                  \
  static const ::rt::Plugin plugin_##name = {#name, __VA_ARGS__};                  \
  __attribute__((constructor(RUNTIME_PLUGIN_PRIORITY))) static void register_plugin_##name() { \
    ::rt::RegisterPlugin(&plugin_##name);                                          \
  }

}  // namespace rt

#endif  // CORE_RUNTIME_HOOKS_H
