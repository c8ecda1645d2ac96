// config.h - the runtime's settings, read once from the environment at startup
// (dmtcp_launch puts them there) and kept in the runtime's own memory, so that a
// restored process still has them.
#ifndef CORE_RUNTIME_CONFIG_H
#define CORE_RUNTIME_CONFIG_H

#include <stdint.h>

#include "core/image/format.h"

namespace rt {

struct Config {
  bool active = false;          // launched under dmtcp_launch
  char coord_addr[64] = "";     // numeric IPv4
  int coord_port = 0;
  char ckptdir[IMG_PATH_MAX] = "";  // absolute
  char tmpdir[IMG_PATH_MAX] = "";   // <$DMTCP_TMPDIR, $TMPDIR or /tmp>/dmtcp-USER@HOST
  bool gzip = true;
  int ckpt_signal = 0;
  int request_signal = 0;       // DMTCP_CKPT_ON_SIGNAL: asks for a checkpoint (0: none)
  int interval = -1;            // -1: leave the coordinator's
  char prog[IMG_NAME_MAX] = "";
  char exe[IMG_PATH_MAX] = "";  // the program's executable, as at its start (kept across
                                // restarts, when /proc/self/exe may name the restorer)
  char uniq[IMG_NAME_MAX] = "";  // stable id for image names
  char host[IMG_NAME_MAX] = "";
  uint64_t ckpt_number = 0;     // last checkpoint written by this process
  bool restart_pause = false;   // DMTCP_RESTART_PAUSE(2) / DMTCP_GDB_ATTACH_ON_RESTART
  bool all_pages = false;       // DMTCP_ALL_PAGES: store unchanged file pages too
  bool ckpt_open_files = false; // DMTCP_CKPT_OPEN_FILES: open files' contents in the image
  bool allow_overwrite = false; // DMTCP_ALLOW_OVERWRITE_WITH_CKPTED_FILES
  bool modify_env = false;      // DMTCP_MODIFY_ENV (--modify-env): apply dmtcp_env.txt at restart
  bool pathvirt = false;        // DMTCP_PATHVIRT (--pathvirt): DMTCP_PATH_MAPPING applies
  bool unique_ckpt = false;     // DMTCP_UNIQUE_CKPT_PLUGIN: each checkpoint in a folder of its own
  char compid[IMG_NAME_MAX] = "";  // the coordinator's computation id
  char ssh_helper[IMG_PATH_MAX] = "";  // dmtcp_ssh, which ssh and rsh become (remote_shell.h)
  // The CPU's features when the program started: what its libraries chose code by.
  char cpu_features[2048] = "";
};

extern Config g_config;

// Fills g_config from the environment; returns false when not launched by us.
bool LoadConfig();

// Makes <base>/dmtcp-USER@HOST the computation's scratch folder (base: null for
// $DMTCP_TMPDIR, $TMPDIR or /tmp).
void SetTmpdir(const char* base);

// "ckpt_<prog>_<uniq>.dmtcp" into `out`.
void ImageFileName(char* out, unsigned size);

}  // namespace rt

#endif  // CORE_RUNTIME_CONFIG_H
