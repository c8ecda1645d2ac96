#!/usr/bin/env bash
# Whom a coordinator serves (core/coordinator/admission.h), with real users and a
# real second host: root's computation is running; user nobody on the same host asks
# its coordinator to kill it, and a client in another network namespace (another host,
# as far as the network goes) asks for its status: both are refused with one line and
# exit 99, and the computation keeps running. A coordinator started with --bind serves
# that other host. Outside Bazel's sandbox (a second user, a network namespace): needs
# root; run by ci/test after the x86_64 build.
set -uo pipefail
cd "$(dirname "$0")/.."
fail() { echo "FAIL: $*"; exit 1; }
if [ "$(id -u)" != 0 ]; then
  echo "SKIPPED LOUDLY: coordinator_access_test needs root (another user, a network namespace)"
  exit 0
fi
command -v ip > /dev/null || fail "ip is missing (package iproute2; ci/setup installs it)"
tools="$PWD/bazel-out/x86_64-opt/bin/core/tools"
counter="$PWD/bazel-out/x86_64-opt/bin/testsuite/probes/counter"
work=$(mktemp -d /tmp/dmtcp-access.XXXXXX)
ns=dmtcp-access-$$
trap 'pkill -9 -f "$work" 2>/dev/null; ip netns del $ns 2>/dev/null; rm -rf "$work"' EXIT
chmod 755 "$work"
cp "$tools/dmtcp_command" "$work/"  # where user nobody can run it
cd "$work" || exit 1
# Below the kernel's ephemeral ports (32768 up), where no client socket holds it.
port=$((20000 + RANDOM % 12000))
export DMTCP_COORD_PORT=$port
# In a subshell, so that its end by --kill is not a job bash announces.
("$tools/dmtcp_launch" "$counter" 100000 10 > out 2> err & echo $! > launch.pid)
pid=$(cat launch.pid)
for _ in $(seq 300); do grep -qx 20 out 2>/dev/null && break; sleep 0.05; done
grep -qx 20 out || fail "the counter did not start: $(cat err)"

# Counts lines of `out` now, then after a while: the computation still runs.
still_running() {
  local before after
  before=$(wc -l < out)
  sleep 0.5
  after=$(wc -l < out)
  kill -0 $pid 2> /dev/null && [ "$after" -gt "$before" ]
}

# `who`'s --kill (run just before, exit code `rc`, stderr in `err`) was refused with one
# line matching `why`, and the computation runs on.
expect_refused() {
  local who=$1 rc=$2 err=$3 why=$4
  [ "$rc" = 99 ] && [ "$(wc -l < "$err")" = 1 ] && grep -q "$why" "$err" ||
    fail "$who's --kill: exit $rc, want 99 and one line: $(cat "$err")"
  still_running || fail "the computation stopped after $who's --kill"
  echo "PASS: $who's --kill is refused: $(cat "$err")"
}

setpriv --reuid=65534 --regid=65534 --clear-groups "$work/dmtcp_command" -p $port --kill \
  > /dev/null 2> user.err
expect_refused "another user" $? user.err "belongs to user 65534, and this coordinator serves user 0 only"

# Another host: a network namespace joined to this one by a veth pair.
if ! ip netns add $ns 2> netns.err; then
  echo "SKIPPED LOUDLY: another host's client and --bind: cannot make a network namespace here: $(cat netns.err)"
  "$tools/dmtcp_command" -p $port --kill > /dev/null
  echo "PASS: coordinator_access_test (this host's users only)"
  exit 0
fi
ip link add dmta$$ type veth peer name dmtb$$ || fail "ip link add veth"
ip link set dmtb$$ netns $ns
ip addr add 10.231.0.1/24 dev dmta$$ && ip link set dmta$$ up || fail "host side of the veth"
ip netns exec $ns ip addr add 10.231.0.2/24 dev dmtb$$
ip netns exec $ns ip link set dmtb$$ up
ip netns exec $ns ip link set lo up
ip netns exec $ns "$work/dmtcp_command" -h 10.231.0.1 -p $port --kill > /dev/null 2> remote.err
expect_refused "another host" $? remote.err \
  "10.231.0.2:[0-9]* is on another host, and this coordinator serves its own host only"

"$tools/dmtcp_command" -p $port --status > status.out || fail "root's own --status: $(cat status.out)"
grep -q "NUM_PEERS=1" status.out || fail "root's own --status: $(cat status.out)"
echo "PASS: the coordinator's own user is served"

# Told to, a coordinator serves the other host.
bound=$((port + 1))
"$tools/dmtcp_coordinator" --bind 10.231.0.1 -p $bound --daemon --exit-on-last --timeout 20 \
  > /dev/null 2> bound.err || fail "dmtcp_coordinator --bind: $(cat bound.err)"
ip netns exec $ns "$work/dmtcp_command" -h 10.231.0.1 -p $bound --status > remote.out 2>&1 ||
  fail "another host, coordinator with --bind: $(cat remote.out)"
grep -q "NUM_PEERS=0" remote.out || fail "another host's --status: $(cat remote.out)"
ip netns exec $ns "$work/dmtcp_command" -h 10.231.0.1 -p $bound --quit > /dev/null 2>&1
echo "PASS: with --bind, another host is served"

"$tools/dmtcp_command" -p $port --kill > /dev/null
for _ in $(seq 100); do kill -0 $pid 2> /dev/null || break; sleep 0.05; done
echo "PASS: coordinator_access_test"
