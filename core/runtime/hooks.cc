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

void RunHooks(Event event) {
  // Restore in registration order, save in reverse, like constructors and destructors.
  if (event == Event::kPreCheckpoint || event == Event::kDrain) {
    for (int i = g_plugin_count - 1; i >= 0; i--) g_plugins[i]->on_event(event);
  } else {
    for (int i = 0; i < g_plugin_count; i++) g_plugins[i]->on_event(event);
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
