#include "core/runtime/hooks.h"

#include "core/runtime/log.h"

namespace rt {
namespace {
constexpr int kMaxPlugins = 32;
const Plugin* g_plugins[kMaxPlugins];
int g_plugin_count;
}  // namespace

void RegisterPlugin(const Plugin* plugin) {
  if (g_plugin_count >= kMaxPlugins) return;
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

void RunHooks(Event event) {
  // Restore in registration order, save in reverse, like constructors and destructors.
  const bool reverse = event == Event::kPreCheckpoint || event == Event::kDrain;
  for (int n = 0; n < g_plugin_count; n++) {
    const Plugin* plugin = g_plugins[reverse ? g_plugin_count - 1 - n : n];
    if (void (*op)() = OperationFor(plugin, event)) op();
  }
}

int WritePluginRecords(img::ImageWriter* writer) {
  for (int i = 0; i < g_plugin_count; i++) {
    if (g_plugins[i]->write_records == nullptr) continue;
    int rc = g_plugins[i]->write_records(writer);
    if (rc < 0) return rc;
  }
  return 0;
}

}  // namespace rt
