#!/usr/bin/env bash
# Checkpoint on a signal, as a batch system asks for one before it ends a job:
#   dmtcp_launch --ckpt-on-signal USR1 ./a.out
#   kill -USR1 <pid>      (Slurm: scancel --signal=USR1 --full <job>)
# The signal checkpoints the computation and the program, which has no handler for
# it, goes on instead of dying of it; killed, its image restarts where it was.
set -uo pipefail
tools="$(cd "$(dirname "$0")/../core/tools" && pwd -P)"
probe="$(cd "$(dirname "$0")/probes" && pwd -P)/counter"
export PATH="$tools:$PATH"
work="${TEST_TMPDIR:-$(mktemp -d)}/ckpt_on_signal"
mkdir -p "$work" && cd "$work" || exit 1
fail() { echo "FAIL: $*"; exit 1; }

out=$(dmtcp_launch --ckpt-on-signal NOSUCH true 2>&1)
rc=$?
[ $rc -eq 99 ] && [ "$(wc -l <<<"$out")" -eq 1 ] ||
  fail "a bad --ckpt-on-signal gave exit $rc and: $out"

for attempt in 1 2 3 4 5; do
  export DMTCP_COORD_PORT=$((20000 + RANDOM % 12000))
  dmtcp_command --status > /dev/null 2>&1 || break
done
cp "$probe" ./a.out
reach() {  # reach N: waits until out.txt has N
  for _ in $(seq 1 400); do grep -qx "$1" out.txt 2> /dev/null && return 0; sleep 0.05; done
  fail "a.out did not reach $1: $(tail -n 3 err.txt)"
}

dmtcp_launch --ckpt-on-signal USR1 ./a.out 400 10 > out.txt 2> err.txt &
pid=$!
reach 20
signalled=$(tail -n 1 out.txt)
kill -USR1 $pid
for _ in $(seq 1 200); do ls ckpt_a.out_*.dmtcp > /dev/null 2>&1 && break; sleep 0.05; done
ls ckpt_a.out_*.dmtcp > /dev/null 2>&1 || fail "no image after SIGUSR1: $(tail -n 3 err.txt)"
at=$(tail -n 1 out.txt)
reach $((at + 20))  # still running: the signal did not end it
kill -0 $pid 2> /dev/null || fail "a.out is gone after SIGUSR1"
echo "checkpointed on SIGUSR1 at $at; a.out went on to $(tail -n 1 out.txt)"
kill -9 $pid
wait $pid 2> /dev/null
# Emptied, the file shows where the restored program writes from: its own offset.
: > out.txt

dmtcp_restart ckpt_a.out_*.dmtcp > /dev/null 2>> err.txt
rc=$?
[ $rc -eq 42 ] || fail "the restart ended with $rc, want a.out's 42: $(tail -n 3 err.txt)"
first=$(tr -d '\0' < out.txt | head -n 1)
[ -n "$first" ] && [ "$first" -gt "$signalled" ] && [ "$first" -le $((at + 1)) ] ||
  fail "the restart did not continue from the image taken between $signalled and $at (it wrote from '$first' on)"
diff <(seq "$first" 400) <(tr -d '\0' < out.txt) > /dev/null || fail "numbers $first..400 are not all there, in order"
echo "PASS: ckpt_on_signal_test (restarted at $first, ended with 42)"
