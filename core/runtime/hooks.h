// hooks.h - how resource plugins take part in checkpoint and restart.
//
// A plugin is one source file that handles one kind of resource (files, pipes,
// sockets, ...). It registers its operations (save, restore, ...) in a table; it keeps
// what it saved in its own static memory, which the image captures with the rest of
// the process, so after a restart it finds its saved state where it left it.
#ifndef CORE_RUNTIME_HOOKS_H
#define CORE_RUNTIME_HOOKS_H

#include "core/image/writer.h"
#include "core/runtime/fd_table.h"

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

// A plugin's operations, one per moment; any may be null.
struct Plugin {
  const char* name;
  // The descriptors it saves and restores; each goes to the first enabled plugin
  // that claims it (ClaimFds), which then finds it with OwnedFds(claims).
  ClaimsFn claims;
  void (*drain)();    // Event::kDrain
  void (*save)();     // Event::kPreCheckpoint
  // Records for dmtcp_restart, which needs to know of resources shared between
  // processes (pipes) before any process is restored. Returns 0 or -errno.
  int (*write_records)(img::ImageWriter* writer);
  void (*resume)();   // Event::kResume
  void (*restore)();  // Event::kRestart
  // Restart hooks run in increasing order (checkpoint hooks in decreasing order).
  int order;
  // Not a resource plugin: runs even when "all" are disabled (the dispatcher of the
  // plugins loaded with --with-plugin).
  bool essential;
};

// Called from a plugin's static initializer.
void RegisterPlugin(const Plugin* plugin);
// The plugins not to run (ENV_DISABLE_PLUGINS), from the runtime's start; and whether
// `name` is one of them (for the plugins loaded with --with-plugin, by their name).
void DisablePlugins(const char* names);
bool PluginDisabled(const char* name, bool essential);
// The disabled plugins as ENV_DISABLE_PLUGINS named them, or null if none.
const char* DisabledPlugins();
// After ScanFds: gives each descriptor to the plugin that claims it.
void ClaimFds();
void RunHooks(Event event);
int WritePluginRecords(img::ImageWriter* writer);

// Declares and registers a plugin with the operations it has, in the order of
// struct Plugin:
//   RUNTIME_PLUGIN(terminals, .claims = Claims, .save = Save, .write_records = WriteRecords,
//                  .restore = Restore);
// Plugins register before the runtime starts (runtime.cc), since a process may be
// asked to checkpoint the moment it joins, before main().
#define RUNTIME_PLUGIN(plugin_name, ...)                                           \
  static const ::rt::Plugin plugin_##plugin_name = {.name = #plugin_name, __VA_ARGS__}; \
  __attribute__((constructor(RUNTIME_PLUGIN_PRIORITY))) static void register_plugin_##plugin_name() { \
    ::rt::RegisterPlugin(&plugin_##plugin_name);                                   \
  }

}  // namespace rt

#endif  // CORE_RUNTIME_HOOKS_H
