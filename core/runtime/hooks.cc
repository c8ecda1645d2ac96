#include "core/runtime/hooks.h"

#include <string.h>

#include "core/common/fmt.h"
#include "core/runtime/log.h"

namespace rt {
namespace {
constexpr int kMaxPlugins = 32;
const Plugin* g_plugins[kMaxPlugins];
int g_plugin_count;
char g_disabled[512];  // ",name,name," (commas around each, for an exact search)

bool Enabled(const Plugin* plugin) { return !PluginDisabled(plugin->name, plugin->essential); }
}  // namespace

void DisablePlugins(const char* names) {
  g_disabled[0] = '\0';
  if (names == nullptr || names[0] == '\0') return;
  fmt_format(g_disabled, sizeof g_disabled, ",%s,", names);
  for (int i = 0; i < g_plugin_count; i++) {
    if (!Enabled(g_plugins[i])) Trace("plugin %s disabled", g_plugins[i]->name);
  }
}

const char* DisabledPlugins() { return g_disabled[0] != '\0' ? g_disabled : nullptr; }

bool PluginDisabled(const char* name, bool essential) {
  if (g_disabled[0] == '\0' || name == nullptr) return false;
  if (!essential && strstr(g_disabled, ",all,") != nullptr) return true;
  char key[80];
  fmt_format(key, sizeof key, ",%s,", name);
  return strstr(g_disabled, key) != nullptr;
}

void RegisterPlugin(const Plugin* plugin) {
  if (g_plugin_count >= kMaxPlugins) {
    Warn("plugin %s is not registered: more than %d built-in plugins", plugin->name, kMaxPlugins);
    return;
  }
  // Kept sorted by order; equal orders stay in registration order.
  int i = g_plugin_count++;
  for (; i > 0 && g_plugins[i - 1]->order > plugin->order; i--) g_plugins[i] = g_plugins[i - 1];
  g_plugins[i] = plugin;
}

void (*OperationFor(const Plugin* plugin, Event event))() {
  switch (event) {
    case Event::kDrain: return plugin->drain;
    case Event::kPreCheckpoint: return plugin->save;
    case Event::kResume: return plugin->resume;
    case Event::kRestart: return plugin->restore;
  }
  return nullptr;
}

void ClaimFds() {
  for (int i = 0; i < FdCount(); i++) {
    FdEntry* e = FdAt(i);
    e->owner = nullptr;
    for (int n = 0; n < g_plugin_count && e->owner == nullptr; n++) {
      const Plugin* plugin = g_plugins[n];
      if (plugin->claims != nullptr && Enabled(plugin) && plugin->claims(*e)) e->owner = plugin->claims;
    }
  }
}

void RunHooks(Event event) {
  // Restore in registration order, save in reverse, like constructors and destructors.
  const bool reverse = event == Event::kPreCheckpoint || event == Event::kDrain;
  for (int n = 0; n < g_plugin_count; n++) {
    const Plugin* plugin = g_plugins[reverse ? g_plugin_count - 1 - n : n];
    void (*op)() = OperationFor(plugin, event);
    if (op != nullptr && Enabled(plugin)) op();
  }
}

int WritePluginRecords(img::ImageWriter* writer) {
  for (int i = 0; i < g_plugin_count; i++) {
    if (g_plugins[i]->write_records == nullptr || !Enabled(g_plugins[i])) continue;
    int rc = g_plugins[i]->write_records(writer);
    if (rc < 0) return rc;
  }
  return 0;
}

}  // namespace rt
