#!/usr/bin/env bash
# The FAQ's recipe, typed as a user would, in a shell:
#   dmtcp_launch ./a.out arg1 arg2 ...
#   dmtcp_command --checkpoint          [from another terminal]
#   dmtcp_restart ckpt_a.out_*.dmtcp
# dmtcp_launch starts the coordinator itself. Only the port is chosen by environment
# (tests run in parallel), exactly as a user running two computations would.
set -uo pipefail
tools="$(cd "$(dirname "$0")/../core/tools" && pwd -P)"
probe="$(cd "$(dirname "$0")/probes" && pwd -P)/counter"
export PATH="$tools:$PATH"
work="${TEST_TMPDIR:-$(mktemp -d)}/faq"
mkdir -p "$work" && cd "$work" || exit 1
fail() { echo "FAIL: $*"; exit 1; }

for attempt in 1 2 3 4 5; do
  # Below the kernel's ephemeral ports (32768 up): a client socket of another test
  # holding the port would make the coordinator's bind fail.
  export DMTCP_COORD_PORT=$((20000 + RANDOM % 12000))
  dmtcp_command --status >/dev/null 2>&1 || break  # nobody there: use it
done
cp "$probe" ./a.out

dmtcp_launch ./a.out 300 10 > out.txt 2> err.txt &
pid=$!
for i in $(seq 1 300); do grep -qx 20 out.txt 2>/dev/null && break; sleep 0.05; done
grep -qx 20 out.txt || fail "a.out did not start: $(cat err.txt)"

dmtcp_command --checkpoint || fail "dmtcp_command --checkpoint exited $?"
# --checkpoint returns at once; an image appears whole (written aside, then renamed).
for i in $(seq 1 200); do ls ckpt_a.out_*.dmtcp >/dev/null 2>&1 && break; sleep 0.05; done
ls ckpt_a.out_*.dmtcp >/dev/null 2>&1 || fail "no image after dmtcp_command --checkpoint"
ls ./dmtcp_restart_script.sh >/dev/null 2>&1 || true
kill -9 $pid; wait $pid 2>/dev/null
before=$(tail -n 1 out.txt)

dmtcp_restart ckpt_a.out_*.dmtcp
rc=$?
[ $rc -eq 42 ] || fail "dmtcp_restart passed on exit code $rc, want a.out's 42"
diff <(seq 1 300) out.txt > /dev/null || fail "out.txt is not 1..300 (killed at $before)"
echo "PASS: launched, checkpointed, killed at $before, restarted, finished at $(tail -n 1 out.txt) with exit code $rc"
