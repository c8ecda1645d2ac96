// A C++ plugin as one written for DMTCP would be, against the public dmtcp.h and
// kvdb.h only: at every resume and restart it publishes its pid under $NS_KEY with
// dmtcp::kvdb::set64, counts itself in with the C call (INCRBY), meets the other
// processes at a global barrier, then looks up the pid published under $NS_OTHER.
// One line per event to $NS_LOG: "<event>: other <pid>, arrivals <n>".
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/api/dmtcp.h"
#include "core/api/kvdb.h"

namespace {

void Log(const char* line) {
  const char* path = getenv("NS_LOG");
  if (path == nullptr) return;
  long fd = syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  size_t n = 0;
  while (line[n] != '\0') n++;
  if (write(static_cast<int>(fd), line, n) < 0) {
  }
  close(static_cast<int>(fd));
}

void Exchange(const char* event) {
  const char* key = getenv("NS_KEY");
  const char* other = getenv("NS_OTHER");
  if (key == nullptr || other == nullptr) return;
  char line[256];
  if (dmtcp::kvdb::set64("ns", key, getpid()) != dmtcp::kvdb::KVDBResponse::SUCCESS ||
      dmtcp_kvdb_request64(DMTCP_KVDB_INCRBY, "ns", "arrivals", 1, nullptr) != DMTCP_KVDB_SUCCESS) {
    snprintf(line, sizeof line, "%s: publishing failed\n", event);
    Log(line);
    return;
  }
  dmtcp_global_barrier(event);
  int64_t other_pid = -1, arrivals = -1;
  dmtcp::kvdb::KVDBResponse found = dmtcp::kvdb::get64("ns", other, &other_pid);
  dmtcp_kvdb_request64(DMTCP_KVDB_GET, "ns", "arrivals", 0, &arrivals);
  if (found != dmtcp::kvdb::KVDBResponse::SUCCESS) {
    snprintf(line, sizeof line, "%s: %s not found (%d)\n", event, other, static_cast<int>(found));
  } else {
    snprintf(line, sizeof line, "%s: other %lld, arrivals %lld\n", event,
             static_cast<long long>(other_pid), static_cast<long long>(arrivals));
  }
  Log(line);
}

void OnEvent(DmtcpEvent_t event, DmtcpEventData_t*) {
  if (event == DMTCP_EVENT_RESUME) Exchange("resume");
  if (event == DMTCP_EVENT_RESTART) Exchange("restart");
}

DmtcpPluginDescriptor_t name_service_plugin = {
    DMTCP_PLUGIN_API_VERSION, DMTCP_PACKAGE_VERSION, "name_service", "dmtcp-ng tests",
    "tests@localhost", "exchanges pids through the coordinator's kvdb", OnEvent};

}  // namespace

DMTCP_DECL_PLUGIN(name_service_plugin);
