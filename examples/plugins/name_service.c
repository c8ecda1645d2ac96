/* name_service: processes of one computation find each other through the
 * coordinator's key-value store (DMTCP's name service), the way a plugin that
 * reconnects sockets learns where its peer lives now.
 *
 * After every checkpoint and every restart each process takes a number (an INCRBY on
 * a counter: the coordinator answers the value before the addition), publishes its
 * pid under that number, meets the others at a global barrier, then looks up the pid
 * published by the next number. Keys carry the event and the checkpoint generation,
 * so every round starts afresh. Requests go through the coordinator connection that
 * the event hooks' thread owns, so they are made from the hook itself.
 *
 * One line per round to $NAME_SERVICE_LOG (appended), else stderr:
 *   "<event> <generation>: <pid> is number <i> of <n>, next is <pid>"
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "dmtcp.h"

static void report(const char *line, int n) {
  const char *path = getenv("NAME_SERVICE_LOG");
  int fd = path ? open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644) : 2;
  if (fd < 0) return;
  if (write(fd, line, (size_t)n) < 0) { /* nowhere to report it */ }
  if (fd != 2) close(fd);
}

static void meet(const char *event) {
  const char *db = "name_service_example";
  unsigned gen = dmtcp_get_generation();
  char counter[64], mine[64], next[64], line[200];
  int64_t number = 0, count = -1, next_pid = -1; /* the first INCRBY finds no old value */

  snprintf(counter, sizeof counter, "%s.%u.count", event, gen);
  int ok = dmtcp_kvdb_request64(DMTCP_KVDB_INCRBY, db, counter, 1, &number) == DMTCP_KVDB_SUCCESS;
  snprintf(mine, sizeof mine, "%s.%u.pid.%lld", event, gen, (long long)number);
  ok = ok && dmtcp_kvdb_request64(DMTCP_KVDB_SET, db, mine, getpid(), NULL) == DMTCP_KVDB_SUCCESS;

  dmtcp_global_barrier(counter); /* everyone has published */

  ok = ok && dmtcp_kvdb_request64(DMTCP_KVDB_GET, db, counter, 0, &count) == DMTCP_KVDB_SUCCESS &&
       count > 0;
  if (ok) {
    snprintf(next, sizeof next, "%s.%u.pid.%lld", event, gen, (long long)((number + 1) % count));
    ok = dmtcp_kvdb_request64(DMTCP_KVDB_GET, db, next, 0, &next_pid) == DMTCP_KVDB_SUCCESS;
  }
  int n = ok ? snprintf(line, sizeof line, "%s %u: %d is number %lld of %lld, next is %lld\n",
                        event, gen, (int)getpid(), (long long)number, (long long)count,
                        (long long)next_pid)
             : snprintf(line, sizeof line, "%s %u: %d: the name service failed\n", event, gen,
                        (int)getpid());
  report(line, n);
}

static void on_event(DmtcpEvent_t event, DmtcpEventData_t *data) {
  (void)data;
  if (event == DMTCP_EVENT_RESUME) meet("resume");
  if (event == DMTCP_EVENT_RESTART) meet("restart");
}

static DmtcpPluginDescriptor_t name_service = {
  DMTCP_PLUGIN_API_VERSION, DMTCP_PACKAGE_VERSION, "name_service", "dmtcp-ng examples",
  "", "processes find each other's pids through the coordinator", on_event
};
DMTCP_DECL_PLUGIN(name_service);
