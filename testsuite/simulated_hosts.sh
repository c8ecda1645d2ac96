# simulated_hosts.sh - sourced by the distributed tests: three simulated hosts
# (ci/simhosts) for this test alone, a coordinator on h1 (10.78.0.1) serving them, and
# an ssh-compatible agent named ssh ($SIMROOT/bin/ssh, also $DMTCP_REMOTE_SHELL).
# Defines fail, on HOST CMD..., coordinator ARGS... (dmtcp_command), $tools, $here,
# $SIMROOT (shared by the hosts), $coord and $port. Everything goes when the test exits.
set -uo pipefail
fail() { echo "FAIL: $*"; exit 1; }
if [ "$(id -u)" != 0 ]; then
  echo "SKIPPED LOUDLY: $(basename "$0") needs root (network namespaces for the simulated hosts)"
  exit 0
fi
for tool in ip nsenter unshare; do
  command -v $tool > /dev/null || fail "$tool is missing (packages iproute2, util-linux; ci/setup installs them)"
done
here=$(cd "$(dirname "$0")" && pwd -P)
tools="$(cd "$here/../core/tools" && pwd -P)"
export SIMROOT
# Short and under /tmp, not in Bazel's long TEST_TMPDIR: socket paths in it (munged's)
# must fit in 108 bytes.
SIMROOT=$(mktemp -d /tmp/dmtcp-dist.XXXXXX)
chmod 755 "$SIMROOT"
# A copy in the shared folder: the checkout may be under /tmp, which each host hides.
simhosts="$SIMROOT/simhosts"
cp "$here/../ci/simhosts" "$simhosts" && chmod 755 "$simhosts" || fail "cannot copy ci/simhosts"
cleanup() {
  pkill -9 -f "$SIMROOT" 2> /dev/null
  pkill -9 -f "dmtcp_coordinator.*--ckptdir $SIMROOT" 2> /dev/null
  "$simhosts" down
  [ -n "${KEEP_SIMROOT:-}" ] || rm -rf "$SIMROOT"
}
trap cleanup EXIT
"$simhosts" up || fail "cannot make the simulated hosts"
on() { "$simhosts" exec "$@"; }

port=$((20000 + RANDOM % 12000))
coord=10.78.0.1
mkdir -p "$SIMROOT/ckpt" "$SIMROOT/bin"
on h1 "$tools/dmtcp_coordinator" --bind $coord -p $port --daemon --ckptdir "$SIMROOT/ckpt" \
  > "$SIMROOT/coordinator.log" 2>&1 || fail "the coordinator did not start: $(cat "$SIMROOT/coordinator.log")"
coordinator() { on h1 "$tools/dmtcp_command" -h $coord -p $port "$@"; }

printf '#!/bin/sh\nexec %q rsh "$@"\n' "$simhosts" > "$SIMROOT/bin/ssh"
chmod 755 "$SIMROOT/bin/ssh"
export DMTCP_REMOTE_SHELL="$SIMROOT/bin/ssh"
