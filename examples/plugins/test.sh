#!/usr/bin/env bash
# The example plugins, built and run as a user would from an installed tree alone:
#   examples/plugins/test.sh PREFIX
# PREFIX is what ci/install made (bin/ with the tools, include/ with dmtcp.h). No Bazel,
# no other header of ours. CC (default: cc) and LDFLAGS (for the programs) build for
# another arch, e.g. CC=aarch64-linux-gnu-gcc with the RPATH and interpreter of its
# libraries; the programs then run under QEMU through binfmt_misc.
#  1. family (a parent and an exec'ed child) runs with count_opens, sync_files and
#     name_service; it is checkpointed, killed and restarted twice, and must count on
#     to the end; each plugin's log must show what it is for.
#  2. delayed_checkpoint takes three checkpoints asked for by dmtcp_command, none inside
#     a critical section, then one of its own, and after a restart runs to the end.
#  3. delayed_checkpoint runs without the checkpointer too.
set -uo pipefail
prefix=$(readlink -f "${1:?usage: examples/plugins/test.sh PREFIX}")
src=$(cd "$(dirname "$0")" && pwd -P)
cc=${CC:-cc}
work=$(mktemp -d "${TMPDIR:-/tmp}/plugin-examples.XXXXXX")
export PATH="$prefix/bin:$PATH"
cd "$work" || exit 1
fail() {
  echo "FAIL: $*"
  dmtcp_command -k >/dev/null 2>&1
  echo "(files in $work)"
  exit 1
}
# Waits up to $2 seconds for the command $1 to succeed.
wait_until() {
  local i
  for ((i = 0; i < $2 * 10; i++)); do eval "$1" && return 0; sleep 0.1; done
  return 1
}
count_lines() { grep -c -- "$2" "$1" 2>/dev/null; }

for p in count_opens sync_files name_service; do
  $cc -shared -fPIC -O2 -Wall -I"$prefix/include" -o "lib$p.so" "$src/$p.c" 2>"build-$p.txt" ||
    fail "$p.c does not build against $prefix/include: $(cat "build-$p.txt")"
done
for p in family delayed_checkpoint; do
  # shellcheck disable=SC2086
  $cc -O2 -Wall -I"$prefix/include" -o "$p" "$src/$p.c" ${LDFLAGS:-} 2>"build-$p.txt" ||
    fail "$p.c does not build against $prefix/include: $(cat "build-$p.txt")"
done

for attempt in 1 2 3 4 5; do
  # Below the kernel's ephemeral ports (32768 up): a client socket of another test
  # holding the port would make the coordinator's bind fail.
  export DMTCP_COORD_PORT=$((20000 + RANDOM % 12000))
  dmtcp_command --status >/dev/null 2>&1 || break
done

# 1. A process tree with three plugins, checkpointed and restarted twice.
export COUNT_OPENS_LOG=$work/opens.log NAME_SERVICE_LOG=$work/names.log
mkdir run
steps=200
dmtcp_launch --with-plugin "$work/libcount_opens.so:$work/libsync_files.so:$work/libname_service.so" \
  ./family "$work/run" $steps > launch.out 2> launch.err &
launched=$!
wait_until '[ "$(count_lines opens.log " init$")" = 2 ]' 60 ||
  fail "family's two processes did not start: $(cat launch.err opens.log)"
sleep 1
dmtcp_command -bc > /dev/null || fail "the first checkpoint failed"
# -bc returns once the images are written; the processes resume just after.
wait_until '[ "$(count_lines opens.log "running after checkpoint")" = 2 ]' 30 ||
  fail "count_opens did not see the processes run again: $(cat opens.log)"
# sync_files flushed both streams: whole lines on disk, though stdio buffers 64 KiB.
for role in parent child; do
  [ -s "run/$role.out" ] && [ "$(tail -c1 "run/$role.out" | od -An -c | tr -d ' ')" = '\n' ] ||
    fail "sync_files did not put $role.out on disk at the checkpoint"
done
wait_until '[ "$(count_lines launch.err "sync_files: [1-9]")" = 2 ]' 10 ||
  fail "sync_files did not report: $(cat launch.err)"
dmtcp_command -k > /dev/null
{ wait $launched; } 2>/dev/null
for round in 1 2; do
  dmtcp_restart ckpt_*.dmtcp > "restart$round.out" 2> "restart$round.err" &
  restarted=$!
  [ $round = 2 ] && break
  wait_until '[ "$(count_lines names.log "^restart")" = 2 ]' 60 ||
    fail "restart $round: the name service did not report: $(cat "restart$round.err" names.log)"
  sleep 1
  dmtcp_command -bc > /dev/null || fail "the checkpoint after restart $round failed"
  wait_until '[ "$(count_lines opens.log "running after checkpoint")" = 4 ]' 30 ||
    fail "count_opens did not see the processes run again: $(cat opens.log)"
  dmtcp_command -k > /dev/null
  { wait $restarted; } 2>/dev/null
done
wait $restarted
rc=$?
[ $rc = 0 ] || fail "family exited $rc after the second restart: $(cat restart2.err)"
for role in parent child; do
  diff <(seq 1 $steps) "run/$role.out" > /dev/null || fail "$role.out is not 1..$steps"
done
# count_opens: the tree's events, and a count that survives each restart.
for what in " init$" " forked$" " exec$"; do
  n=$(count_lines opens.log "$what")
  want=2; [ "$what" = " init$" ] || want=1
  [ "$n" = $want ] || fail "count_opens logged '$what' $n times, want $want: $(cat opens.log)"
done
[ "$(count_lines opens.log "running after checkpoint")" = 4 ] &&
  [ "$(count_lines opens.log "running after restart")" = 4 ] ||
  fail "count_opens did not see 2 checkpoints and 2 restarts in each process: $(cat opens.log)"
awk '/running after/ {
       pid = $1; n = $(NF - 1)
       if ($4 == "restart," && n + 1 < last[pid]) bad = bad " " pid ": " last[pid] " then " n
       if (n < 1) bad = bad " " pid ": no opens"
       last[pid] = n
     }
     END { if (bad != "") { print bad; exit 1 } }' opens.log > opens.bad ||
  fail "count_opens lost its count across a restart:$(cat opens.bad)"
# name_service: each round, two processes, each finding the other.
awk '{ round = $1 " " $2; n[round]++; me[round, n[round]] = $3; next_of[round, $3] = $NF
       if ($8 != "2,") bad = bad " [" $0 "]" }
     END {
       for (r in n) {
         if (n[r] != 2) { bad = bad " [" r ": " n[r] " lines]"; continue }
         a = me[r, 1]; b = me[r, 2]
         if (next_of[r, a] != b || next_of[r, b] != a) bad = bad " [" r ": " a " and " b " do not point at each other]"
         rounds++
       }
       if (rounds != 4) bad = bad " [" rounds " rounds, want 4]"
       if (bad != "") { print bad; exit 1 }
     }' names.log > names.bad ||
  fail "name_service:$(cat names.bad) in $(cat names.log)"
echo "PASS: family with count_opens, sync_files and name_service, checkpointed and restarted twice"

# 2. Checkpoints wait for the end of a critical section; one asked for by the program.
sections=25
dmtcp_launch ./delayed_checkpoint $sections --checkpoint-at 20 > delayed.out 2> delayed.err &
launched=$!
wait_until 'grep -q "^end 1$" delayed.out 2>/dev/null' 60 || fail "delayed_checkpoint did not start: $(cat delayed.err)"
for i in 1 2 3; do
  dmtcp_command -bc > /dev/null || fail "checkpoint $i of delayed_checkpoint failed"
  sleep 0.3
done
wait_until 'grep -q "^after checkpoint$" delayed.out 2>/dev/null' 60 ||
  fail "dmtcp_checkpoint() did not come back: $(cat delayed.out delayed.err)"
cp delayed.out delayed-before-kill.out
dmtcp_command -k > /dev/null
{ wait $launched; } 2>/dev/null
dmtcp_restart ckpt_delayed_checkpoint_*.dmtcp > delayed-restart.out 2> delayed-restart.err
rc=$?
[ $rc = 0 ] || fail "delayed_checkpoint exited $rc after the restart: $(cat delayed.out delayed-restart.err)"
! grep -q INSIDE delayed.out delayed-before-kill.out || fail "a checkpoint fell inside a critical section"
[ "$(count_lines delayed-before-kill.out "came between sections")" -ge 3 ] ||
  fail "dmtcp_command's three checkpoints are not all seen: $(cat delayed-before-kill.out)"
grep -q "^after restart$" delayed.out && [ "$(tail -1 delayed.out)" = "done: $sections sections" ] ||
  fail "delayed_checkpoint did not go on after its restart: $(cat delayed.out)"
echo "PASS: delayed_checkpoint: checkpoints between critical sections only, its own checkpoint and restart"

# 3. Without the checkpointer the calls answer "not present" and the program runs.
./delayed_checkpoint 2 --checkpoint-at 1 > alone.out 2>&1 || fail "delayed_checkpoint alone: $(cat alone.out)"
grep -q "no checkpoint: not under dmtcp" alone.out && grep -q "^done: 2 sections$" alone.out ||
  fail "delayed_checkpoint alone: $(cat alone.out)"
echo "PASS: delayed_checkpoint runs without the checkpointer"
rm -rf "$work"
