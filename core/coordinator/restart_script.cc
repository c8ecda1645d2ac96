#include "core/coordinator/restart_script.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace dmtcp::coordinator {
namespace {

constexpr char kSymlinkName[] = "dmtcp_restart_script.sh";

// The fixed part of the script: option parsing and the final exec. It relies on the
// variables written above it: dmtcp_restart, coord_host, coord_port, images.
constexpr char kScriptBody[] = R"SCRIPT(
usage() {
  cat <<USAGE
Usage: $0 [options]
Restores checkpoint $checkpoint of this computation by running dmtcp_restart.
  -h, --coord-host H   coordinator host (default: $coord_host)
  -p, --coord-port P   coordinator port (default: $coord_port)
  --ckptdir D          directory for the checkpoints taken after the restart
  --restartdir D       read the images from D (same file names) instead
  --interval N         checkpoint every N seconds after the restart (0: never)
  --new-coordinator    start a new coordinator; fail if one already runs there
  --join-coordinator   join a running coordinator; fail if there is none
  --no-coordinator     start a coordinator of its own on a free port
  --quiet              print fewer messages
  --help               show this text
USAGE
}

fail() {
  echo "$(basename "$0"): $*" >&2
  exit "${DMTCP_FAIL_RC:-99}"
}

restart_dir=
options=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--coord-host|-p|--coord-port|--ckptdir|--restartdir|--interval)
      [ $# -ge 2 ] || fail "option $1 needs a value"
      name=$1 value=$2
      shift 2 ;;
    --coord-host=*|--coord-port=*|--ckptdir=*|--restartdir=*|--interval=*)
      name=${1%%=*} value=${1#*=}
      shift ;;
    --new-coordinator|--join-coordinator|--no-coordinator|--quiet|-q)
      options+=("$1")
      shift
      continue ;;
    --help)
      usage
      exit 0 ;;
    *)
      fail "unknown option '$1' (try --help)" ;;
  esac
  case "$name" in
    -h|--coord-host) coord_host=$value ;;
    -p|--coord-port) coord_port=$value ;;
    --restartdir) restart_dir=$value ;;
    *) options+=("$name" "$value") ;;
  esac
done

if [ -n "$restart_dir" ]; then
  for i in "${!images[@]}"; do
    images[$i]="$restart_dir/${images[$i]##*/}"
  done
fi

exec "$dmtcp_restart" --coord-host "$coord_host" --coord-port "$coord_port" \
  "${options[@]}" "${images[@]}"
)SCRIPT";

}  // namespace

std::string ShellQuote(const std::string& text) {
  return absl::StrCat("'", absl::StrReplaceAll(text, {{"'", "'\\''"}}), "'");
}

std::string RenderRestartScript(const RestartScriptInfo& info) {
  std::string script = "#!/bin/bash\n";
  absl::StrAppend(&script, "# Written by dmtcp_coordinator after a checkpoint.\n");
  absl::StrAppendFormat(&script, "#   computation: %s\n", info.compid);
  absl::StrAppendFormat(&script, "#   checkpoint:  %d\n", info.checkpoint);
  absl::StrAppendFormat(&script, "#   taken:       %s\n",
                        absl::FormatTime("%Y-%m-%d %H:%M:%S %z", info.taken,
                                         absl::LocalTimeZone()));
  absl::StrAppendFormat(&script, "#   processes:   %d\n", info.images.size());
  for (const ScriptImage& image : info.images) {
    // Comment lines must not be broken by a newline in a path.
    absl::StrAppendFormat(&script, "#     %s: %s\n", image.host,
                          absl::StrReplaceAll(image.path, {{"\n", "?"}}));
  }
  absl::StrAppend(&script, "# Run it to restore the computation; --help lists the options.\n\n");

  absl::StrAppend(&script, "dmtcp_restart=", ShellQuote(info.dmtcp_restart), "\n");
  absl::StrAppend(&script, "checkpoint=", info.checkpoint, "\n");
  absl::StrAppend(&script, "coord_host=", ShellQuote(info.coord_host), "\n");
  absl::StrAppend(&script, "coord_port=", info.coord_port, "\n");
  absl::StrAppend(&script, "images=(\n");
  for (const ScriptImage& image : info.images) {
    absl::StrAppend(&script, "  ", ShellQuote(image.path), "\n");
  }
  absl::StrAppend(&script, ")\n");
  absl::StrAppend(&script, kScriptBody);
  return script;
}

absl::StatusOr<std::string> WriteRestartScript(const std::string& dir,
                                               const RestartScriptInfo& info) {
  std::string name = absl::StrCat("dmtcp_restart_script_", info.compid, ".sh");
  std::string path = absl::StrCat(dir, "/", name);
  std::string text = RenderRestartScript(info);

  // Write a temporary file and rename it, so nobody ever runs half a script.
  std::string temp = absl::StrCat(dir, "/.", name, ".XXXXXX");
  int fd = mkstemp(temp.data());
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot create a file in ", dir, ": ", std::strerror(errno)));
  }
  size_t written = 0;
  while (written < text.size()) {
    ssize_t n = write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  // The user's own, like the images: it names their paths and hosts.
  bool ok = written == text.size() && fchmod(fd, 0700) == 0;
  ok = close(fd) == 0 && ok;
  if (!ok || rename(temp.c_str(), path.c_str()) != 0) {
    int saved = errno;
    unlink(temp.c_str());
    return absl::UnavailableError(
        absl::StrCat("cannot write ", path, ": ", std::strerror(saved)));
  }

  // The symlink is relative, so the directory can be moved as a whole.
  std::string link = absl::StrCat(dir, "/", kSymlinkName);
  std::string temp_link = absl::StrCat(dir, "/.", kSymlinkName, ".", getpid());
  unlink(temp_link.c_str());
  if (symlink(name.c_str(), temp_link.c_str()) != 0 ||
      rename(temp_link.c_str(), link.c_str()) != 0) {
    int saved = errno;
    unlink(temp_link.c_str());
    return absl::UnavailableError(
        absl::StrCat("cannot point ", link, " at ", name, ": ", std::strerror(saved)));
  }
  return path;
}

std::string FindDmtcpRestart() {
  char self[PATH_MAX];
  ssize_t length = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (length > 0) {
    std::string exe(self, static_cast<size_t>(length));
    std::string sibling = exe.substr(0, exe.rfind('/') + 1) + "dmtcp_restart";
    if (access(sibling.c_str(), X_OK) == 0) return sibling;
  }
  const char* path = getenv("PATH");
  if (path != nullptr) {
    for (absl::string_view dir : absl::StrSplit(path, ':', absl::SkipEmpty())) {
      std::string candidate = absl::StrCat(dir, "/dmtcp_restart");
      if (candidate[0] == '/' && access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return "dmtcp_restart";
}

}  // namespace dmtcp::coordinator
