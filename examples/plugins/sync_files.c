/* sync_files: what the program wrote is on disk at every checkpoint.
 *
 * A checkpoint saves the program's stdio buffers with its memory, so nothing is lost
 * for the restarted process; but a reader of the files (a person, a monitor, the
 * next stage of a pipeline, a restart on another host) sees only what reached the
 * disk. At PRESUSPEND, while the program's threads still run (so taking stdio's locks
 * is safe: nobody is stopped holding one), flush every stdio stream, then fsync every
 * descriptor open for writing on a regular file.
 *
 * One line per checkpoint to stderr: "sync_files: <n> files synced".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dmtcp.h"

static int written_regular_file(int fd) {
  struct stat st;
  int flags = fcntl(fd, F_GETFL);
  return flags >= 0 && (flags & O_ACCMODE) != O_RDONLY && fstat(fd, &st) == 0 &&
         S_ISREG(st.st_mode);
}

static int sync_written_files(void) {
  int synced = 0;
  DIR *dir = opendir("/proc/self/fd");
  if (dir == NULL) return -1;
  for (struct dirent *e; (e = readdir(dir)) != NULL;) {
    int fd = atoi(e->d_name);
    if (e->d_name[0] == '.' || fd == dirfd(dir) ||
        (dmtcp_is_protected_fd && dmtcp_is_protected_fd(fd)))
      continue;
    if (written_regular_file(fd) && fsync(fd) == 0) synced++;
  }
  closedir(dir);
  return synced;
}

static void on_event(DmtcpEvent_t event, DmtcpEventData_t *data) {
  (void)data;
  if (event != DMTCP_EVENT_PRESUSPEND) return;
  fflush(NULL);
  fprintf(stderr, "sync_files: %d files synced\n", sync_written_files());
}

static DmtcpPluginDescriptor_t sync_files = {
  DMTCP_PLUGIN_API_VERSION, DMTCP_PACKAGE_VERSION, "sync_files", "dmtcp-ng examples",
  "", "flushes stdio and fsyncs written files before each checkpoint", on_event
};
DMTCP_DECL_PLUGIN(sync_files);
