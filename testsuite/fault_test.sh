#!/usr/bin/env bash
# Named fault points (core/common/fault.h) hit during a checkpoint, each way:
#  - a step fails (DMTCP_FAULT=POINT:1) in the first checkpoint: dmtcp_command says so
#    in one line with exit 99, no image is left under its final name, the program runs
#    on, and the next checkpoint works and restarts;
#  - the process dies at the step (POINT:2:kill) in the second checkpoint: dmtcp_command
#    exits 99 with one line, and the first checkpoint's image, untouched, restarts the
#    program, which finishes as if never stopped;
#  - the process dies at its first image write (image-write:1:kill): no final image;
#  - the temporary file a checkpoint killed before its rename left is removed by the
#    next checkpoint of that image (after a restart).
# Each case ROUNDS times (default 2; FAULT_ROUNDS). x86_64, outside Bazel (ci/test).
set -uo pipefail
cd "$(dirname "$0")/.."
fail() { echo "FAIL: $*"; exit 1; }
rounds=${FAULT_ROUNDS:-2}
tools="$PWD/bazel-out/x86_64-opt/bin/core/tools"
counter="$PWD/bazel-out/x86_64-opt/bin/testsuite/probes/counter"
work=$(mktemp -d /tmp/dmtcp-fault.XXXXXX)
trap 'pkill -9 -f "$work" 2>/dev/null; rm -rf "$work"' EXIT

# Starts the counter (to 400, a line every 10 ms) under DMTCP_FAULT=$1 in a fresh
# directory, on a fresh coordinator port, once it has printed 20.
start() {
  dir=$(mktemp -d "$work/case.XXXXXX")
  cd "$dir" || exit 1
  export DMTCP_COORD_PORT=$((20000 + RANDOM % 12000))  # below the ephemeral ports
  (DMTCP_FAULT=$1 "$tools/dmtcp_launch" "$counter" 400 10 > out 2> err &)
  for _ in $(seq 300); do grep -qx 20 out 2> /dev/null && return; sleep 0.02; done
  fail "$1: the counter did not start: $(cat err)"
}
checkpoint() { "$tools/dmtcp_command" -bc > images 2> bc.err; }
final_images() { ls ckpt_*.dmtcp 2> /dev/null | wc -l; }
one_line_99() {  # $1: what; $2: the exit code of the checkpoint
  [ "$2" = 99 ] && [ "$(wc -l < bc.err)" = 1 ] ||
    fail "$1: dmtcp_command exit $2 with $(wc -l < bc.err) lines, want 99 and one: $(cat bc.err)"
}
# Kills the computation if it still runs, restarts the one image and checks that the
# counter finished with its exit code (42) and every number once, in order.
restart_finishes() {
  "$tools/dmtcp_command" -k > /dev/null 2>&1
  for _ in $(seq 200); do pgrep -f "$dir" > /dev/null || break; sleep 0.02; done
  export DMTCP_COORD_PORT=$((20000 + RANDOM % 12000))
  timeout 60 "$tools/dmtcp_restart" ckpt_*.dmtcp > /dev/null 2> restart.err
  local rc=$?
  [ $rc = 42 ] && diff -q <(seq 1 400) out > /dev/null ||
    fail "$1: the restart exited $rc (want 42) or the count has a gap: $(cat restart.err) $(tail -2 out | tr '\n' ' ')"
}

cases=0
for round in $(seq "$rounds"); do
  for point in image-write image-fsync image-rename; do
    start "$point:1"
    checkpoint
    one_line_99 "$point fails" $?
    [ "$(final_images)" = 0 ] || fail "$point fails: an image under its final name: $(ls)"
    before=$(wc -l < out); sleep 0.2
    [ "$(wc -l < out)" -gt "$before" ] || fail "$point fails: the program stopped"
    checkpoint || fail "$point fails: the next checkpoint: $(cat bc.err)"
    restart_finishes "$point fails"
    cases=$((cases + 1))
  done
  for point in image-fsync image-rename; do
    start "$point:2:kill"
    checkpoint || fail "$point:2:kill: the first checkpoint: $(cat bc.err)"
    first=$(md5sum ckpt_*.dmtcp)
    checkpoint
    one_line_99 "$point kills" $?
    [ "$(md5sum ckpt_*.dmtcp)" = "$first" ] || fail "$point kills: the first image changed"
    restart_finishes "$point kills"
    cases=$((cases + 1))
  done
  start "image-write:1:kill"
  checkpoint
  one_line_99 "image-write kills" $?
  [ "$(final_images)" = 0 ] || fail "image-write kills: an image under its final name: $(ls)"
  cases=$((cases + 1))
  # The temporary a checkpoint killed before its rename left goes with the next one.
  start "image-rename:2:kill"
  checkpoint || fail "stale temporary: the first checkpoint: $(cat bc.err)"
  checkpoint
  stale=$(ls ckpt_*.tmp-* 2> /dev/null) || fail "stale temporary: the killed checkpoint left none: $(ls)"
  # As an earlier incarnation's would be (the restored process gets its own pid back,
  # whose temporary name a new checkpoint would simply reuse).
  mv "$stale" "${stale%.tmp-*}.tmp-999999"
  "$tools/dmtcp_command" -k > /dev/null 2>&1
  for _ in $(seq 200); do pgrep -f "$dir" > /dev/null || break; sleep 0.02; done
  export DMTCP_COORD_PORT=$((20000 + RANDOM % 12000))
  timeout 60 "$tools/dmtcp_restart" ckpt_*.dmtcp > /dev/null 2> restart.err &
  restarted=$!
  at=$(wc -l < out)
  for _ in $(seq 300); do [ "$(wc -l < out)" -gt $((at + 5)) ] && break; sleep 0.02; done
  checkpoint || fail "stale temporary: the checkpoint after the restart: $(cat bc.err)"
  ! ls ckpt_*.tmp-* > /dev/null 2>&1 || fail "stale temporary: still there after a checkpoint: $(ls)"
  wait $restarted
  rc=$?
  [ $rc = 42 ] || fail "stale temporary: the restart exited $rc: $(cat restart.err)"
  cases=$((cases + 1))
done
echo "PASS: fault_test ($cases cases: 7 per round, $rounds rounds)"
