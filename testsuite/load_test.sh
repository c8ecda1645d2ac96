#!/usr/bin/env bash
# Load: a tree of 200 processes (probe forest) checkpointed 10 times with
# dmtcp_command -bc, killed, restarted from the last images and let finish: every
# process went on where it was (its running sum) and the tree is whole (each parent
# reaps its children). Prints each checkpoint's time and the restart's. x86_64,
# outside Bazel's sandbox (run by ci/test): 200 processes under QEMU would take long.
set -uo pipefail
cd "$(dirname "$0")/.."
fail() { echo "FAIL: $*"; exit 1; }
procs=200
tools="$PWD/bazel-out/x86_64-opt/bin/core/tools"
forest="$PWD/bazel-out/x86_64-opt/bin/testsuite/probes/forest"
work=$(mktemp -d /tmp/dmtcp-load.XXXXXX)
trap 'pkill -9 -f "$work" 2>/dev/null; pkill -9 -f "$forest" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work" || exit 1
command() { "$tools/dmtcp_command" "$@"; }
# Waits up to 60 s until the coordinator counts all the processes, running.
all_running() {
  for _ in $(seq 600); do
    command -s 2> /dev/null | grep -q "NUM_PEERS=$procs" && command -s | grep -q "RUNNING=yes" &&
      return 0
    sleep 0.1
  done
  return 1
}
now() { date +%s.%N; }
since() { printf '%.2f' "$(echo "$(now) - $1" | bc)"; }

# Below the kernel's ephemeral ports (32768 up), where no client socket holds it.
export DMTCP_COORD_PORT=$((20000 + RANDOM % 12000))
start=$(now)
# In a subshell: not a job of ours, whose death by the kill bash would announce.
("$tools/dmtcp_launch" --ckptdir "$work/ckpt" "$forest" $procs "$work/go" > out 2> err &)
all_running || fail "the $procs processes did not all join: $(command -s 2>&1 | tr '\n' ' ') $(head -3 err)"
echo "launch of $procs processes: $(since "$start") s"
times=()
for i in $(seq 10); do
  start=$(now)
  command -bc > images 2> bc.err || fail "checkpoint $i: $(cat bc.err)"
  times+=("$(since "$start")")
  [ "$(grep -c '\.dmtcp$' images)" = $procs ] || fail "checkpoint $i: $(grep -c '\.dmtcp$' images) images"
done
echo "10 checkpoints of $procs processes (s): ${times[*]}"
command -k > /dev/null || fail "kill"
for _ in $(seq 300); do pgrep -f "$forest" > /dev/null || break; sleep 0.1; done
pgrep -f "$forest" > /dev/null && fail "processes left after the kill"

export DMTCP_COORD_PORT=$((20000 + RANDOM % 12000))
start=$(now)
"$tools/dmtcp_restart" "$work"/ckpt/ckpt_*.dmtcp > restart.out 2> restart.err &
restart=$!
all_running || fail "the restart did not bring back $procs processes: $(head -3 restart.err)"
echo "restart of $procs processes until all run: $(since "$start") s"
touch go
wait $restart
rc=$?
[ $rc = 0 ] && grep -qx "forest ok $procs" out ||
  fail "after the restart: exit $rc, output $(tail -2 out | tr '\n' ' ') $(head -3 restart.err)"
echo "PASS: load_test ($procs processes, 10 checkpoints, a restart, all finished)"
