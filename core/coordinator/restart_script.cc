#include "core/coordinator/restart_script.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace dmtcp::coordinator {
namespace {

constexpr char kSymlinkName[] = "dmtcp_restart_script.sh";

// The fixed part of the script: option parsing and the final exec. It relies on the
// variables written above it: dmtcp_restart, coord_host, coord_port, images, and the
// host of each image (hosts) and the hosts in order of first appearance (hosts_in_order).
constexpr char kScriptBody[] = R"SCRIPT(
usage() {
  cat <<USAGE
Usage: $0 [options]
Restores checkpoint $checkpoint of this computation by running dmtcp_restart, on each
host for that host's images (through \$DMTCP_REMOTE_SHELL, default ssh, for other hosts).
  -h, --coord-host H   coordinator host (default: \$DMTCP_COORD_HOST or $coord_host)
  -p, --coord-port P   coordinator port (default: \$DMTCP_COORD_PORT or $coord_port)
  --ckptdir D          directory for the checkpoints taken after the restart
  --restartdir D       read the images from D (same file names) instead
  --interval N         checkpoint every N seconds after the restart (0: never)
  --hostfile F         restart on the hosts F lists, one per line (# comments): the
                       checkpoint's n-th host (in the list below) on the n-th line
  --host OLD=NEW       restart OLD's images on NEW (again for more hosts)
  --remote-shell CMD   how to run a command on another host (default: ssh)
  --new-coordinator    start a new coordinator; fail if one already runs there
  --join-coordinator   join a running coordinator; fail if there is none
  --no-coordinator     start a coordinator of its own on a free port
  --quiet              print fewer messages
  --help               show this text
The checkpoint's hosts, in order: ${hosts_in_order[*]}
USAGE
}

fail() {
  echo "$(basename "$0"): $*" >&2
  exit "${DMTCP_FAIL_RC:-99}"
}

restart_dir=
hostfile=
remote_shell=${DMTCP_REMOTE_SHELL:-ssh}
host_map=()
options=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--coord-host|-p|--coord-port|--ckptdir|--restartdir|--interval|--hostfile|--host|--remote-shell)
      [ $# -ge 2 ] || fail "option $1 needs a value"
      name=$1 value=$2
      shift 2 ;;
    --coord-host=*|--coord-port=*|--ckptdir=*|--restartdir=*|--interval=*|--hostfile=*|--host=*|--remote-shell=*)
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
    --hostfile) hostfile=$value ;;
    --remote-shell) remote_shell=$value ;;
    --host)
      case "$value" in *?=?*) ;; *) fail "--host needs OLD=NEW, not '$value'" ;; esac
      host_map+=("$value") ;;
    *) options+=("$name" "$value") ;;
  esac
done

if [ -n "$restart_dir" ]; then
  for i in "${!images[@]}"; do
    images[$i]="$restart_dir/${images[$i]##*/}"
  done
fi

if [ -n "$hostfile" ]; then
  [ -r "$hostfile" ] || fail "cannot read the hostfile $hostfile"
  new_hosts=()
  while read -r line; do
    line=${line%%#*}
    line=${line//[[:space:]]/}
    [ -z "$line" ] || new_hosts+=("$line")
  done < "$hostfile"
  [ ${#new_hosts[@]} -ge ${#hosts_in_order[@]} ] ||
    fail "$hostfile names ${#new_hosts[@]} host(s); the checkpoint ran on ${#hosts_in_order[@]}: ${hosts_in_order[*]}"
  for i in "${!hosts_in_order[@]}"; do host_map+=("${hosts_in_order[$i]}=${new_hosts[$i]}"); done
fi

# Where each image is restarted: its host, or what --host/--hostfile made of it.
declare -A group
targets=()
for i in "${!images[@]}"; do
  target=${hosts[$i]}
  for m in "${host_map[@]}"; do
    [ "${m%%=*}" != "${hosts[$i]}" ] || target=${m#*=}
  done
  [ -n "${group[$target]+set}" ] || targets+=("$target")
  group[$target]+=$(printf '%q ' "${images[$i]}")
done

is_this_host() {
  [ "$1" = localhost ] || [ "$1" = 127.0.0.1 ] || [ "$1" = "$(hostname)" ] ||
    [ "$1" = "$(hostname -s 2> /dev/null)" ] || [ "$1" = "$(hostname -f 2> /dev/null)" ]
}

# One host, and not sent elsewhere: all here, as on a single machine.
if [ ${#targets[@]} -eq 1 ] && { [ ${#host_map[@]} -eq 0 ] || is_this_host "${targets[0]}"; }; then
  exec "$dmtcp_restart" --coord-host "$coord_host" --coord-port "$coord_port" \
    "${options[@]}" "${images[@]}"
fi

# Several hosts: one dmtcp_restart on each, all joining the coordinator (this host's
# starts it if it runs here and nobody has yet).
coordinator_answers() { (: <> "/dev/tcp/$coord_host/$coord_port") 2> /dev/null; }
pids=()
local_pid=
for target in "${targets[@]}"; do
  is_this_host "$target" || continue
  eval "imgs=(${group[$target]})"
  "$dmtcp_restart" --coord-host "$coord_host" --coord-port "$coord_port" "${options[@]}" "${imgs[@]}" &
  local_pid=$!
done
for _ in $(seq 150); do coordinator_answers && break; sleep 0.1; done
if ! coordinator_answers; then
  [ -z "$local_pid" ] || kill "$local_pid" 2> /dev/null
  fail "no coordinator answers at $coord_host:$coord_port; start one there first (dmtcp_coordinator --bind $coord_host -p $coord_port)"
fi
for target in "${targets[@]}"; do
  is_this_host "$target" && continue
  command=$(printf '%q ' "$dmtcp_restart" --coord-host "$coord_host" --coord-port "$coord_port" \
    "${options[@]}" --join-coordinator)
  # shellcheck disable=SC2086 # the remote shell may be a command with arguments
  $remote_shell "$target" "$command${group[$target]}" &
  pids+=($!)
done
status=0
for pid in "${pids[@]}"; do
  wait "$pid" || { [ $status -ne 0 ] || status=$?; }
done
if [ -n "$local_pid" ]; then
  wait "$local_pid"
  exit $?
fi
exit $status
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
  // As dmtcp_launch and dmtcp_restart, the environment names another coordinator.
  absl::StrAppend(&script, "coord_host=${DMTCP_COORD_HOST:-", ShellQuote(info.coord_host), "}\n");
  absl::StrAppend(&script, "coord_port=${DMTCP_COORD_PORT:-", info.coord_port, "}\n");
  absl::StrAppend(&script, "images=(\n");
  for (const ScriptImage& image : info.images) {
    absl::StrAppend(&script, "  ", ShellQuote(image.path), "\n");
  }
  absl::StrAppend(&script, ")\n");
  // The host of each image, and the hosts in order of first appearance (what
  // --hostfile's lines stand for).
  std::vector<std::string> in_order;
  absl::StrAppend(&script, "hosts=(");
  for (const ScriptImage& image : info.images) {
    absl::StrAppend(&script, " ", ShellQuote(image.host));
    if (std::find(in_order.begin(), in_order.end(), image.host) == in_order.end()) {
      in_order.push_back(image.host);
    }
  }
  absl::StrAppend(&script, " )\nhosts_in_order=(");
  for (const std::string& host : in_order) absl::StrAppend(&script, " ", ShellQuote(host));
  absl::StrAppend(&script, " )\n");
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
