#!/usr/bin/env bash
# An image is restarted by its owner only; DMTCP's --no-strict-checking lets another
# user (here root, with an image given to nobody) restart it. Outside Bazel's sandbox,
# whose user namespace maps no second user to give a file to. Needs root (chown);
# run by ci/test after the x86_64 build.
set -uo pipefail
cd "$(dirname "$0")/.."
fail() { echo "FAIL: $*"; exit 1; }
if [ "$(id -u)" != 0 ]; then
  echo "SKIPPED LOUDLY: ownership_test needs root to give an image to another user"
  exit 0
fi
tools="$PWD/bazel-out/x86_64-opt/bin/core/tools"
counter="$PWD/bazel-out/x86_64-opt/bin/testsuite/probes/counter"
work=$(mktemp -d /tmp/dmtcp-ownership.XXXXXX)
trap 'pkill -9 -f "$work" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work" || exit 1
# Below the kernel's ephemeral ports (32768 up), where no client socket holds it.
export DMTCP_COORD_PORT=$((20000 + RANDOM % 12000))
"$tools/dmtcp_launch" "$counter" 200 10 > out 2> err &
pid=$!
for _ in $(seq 300); do grep -qx 20 out 2>/dev/null && break; sleep 0.05; done
"$tools/dmtcp_command" -bc > /dev/null || fail "checkpoint: $(cat err)"
kill -9 $pid; wait $pid 2>/dev/null
image=$(ls ckpt_*.dmtcp)
chown 65534:65534 "$image" || fail "chown"

"$tools/dmtcp_restart" "$image" > /dev/null 2> refused.err
rc=$?
[ $rc = 99 ] && [ "$(wc -l < refused.err)" = 1 ] &&
  grep -q "belongs to user 65534, not to you (0)" refused.err ||
  fail "another user's image: exit $rc, want 99 and one line: $(cat refused.err)"
echo "PASS: another user's image is refused: $(cat refused.err)"

"$tools/dmtcp_restart" --no-strict-checking "$image" 2> allowed.err
rc=$?
[ $rc = 42 ] && diff -q <(seq 1 200) out > /dev/null ||
  fail "--no-strict-checking: exit $rc (want 42) or output not 1..200: $(cat allowed.err)"
DMTCP_DISABLE_STRICT_CHECKING=1 "$tools/dmtcp_restart" "$image" > /dev/null 2> env.err
rc=$?
[ $rc = 42 ] || fail "DMTCP_DISABLE_STRICT_CHECKING=1: exit $rc: $(cat env.err)"
echo "PASS: --no-strict-checking and DMTCP_DISABLE_STRICT_CHECKING=1 restart it"
