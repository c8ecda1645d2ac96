#!/usr/bin/env bash
# An image records the CPU features its program started with; a restart on a CPU that
# lacks one (told here by DMTCP_CPU_FEATURES, as another machine's list would be) is
# refused with one line naming them and exit 99, before anything runs; with
# --ignore-cpu-features, and on this CPU, the program continues.
set -uo pipefail
tools="$(cd "$(dirname "$0")/../core/tools" && pwd -P)"
probe="$(cd "$(dirname "$0")/probes" && pwd -P)/counter"
work="${TEST_TMPDIR:-$(mktemp -d)}/cpu"
mkdir -p "$work" && cd "$work" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
export DMTCP_COORD_PORT=$((20000 + RANDOM % 12000))

"$tools/dmtcp_launch" "$probe" 400 10 > out.txt 2> err.txt &
pid=$!
for _ in $(seq 300); do grep -qx 20 out.txt 2> /dev/null && break; sleep 0.05; done
grep -qx 20 out.txt || fail "the counter did not start: $(cat err.txt)"
"$tools/dmtcp_command" -kc > /dev/null || fail "dmtcp_command -kc"
wait $pid 2> /dev/null
image=$(ls ckpt_counter_*.dmtcp)

features=$("$tools/readdmtcp" "$image" | sed -n 's/^  CPU features: //p')
[ -n "$features" ] || fail "readdmtcp shows no CPU features: $("$tools/readdmtcp" "$image" | head -8)"
echo "the image's CPU features: $features"
first=${features%% *}
last=${features##* }

# A CPU with only the first feature lacks the others.
DMTCP_CPU_FEATURES="$first" "$tools/dmtcp_restart" "$image" > /dev/null 2> refused.err
rc=$?
[ $rc = 99 ] && [ "$(wc -l < refused.err)" = 1 ] || fail "exit $rc, want 99 and one line: $(cat refused.err)"
grep -q "which this one lacks" refused.err && grep -q " $last" refused.err ||
  fail "the refusal does not name the missing features: $(cat refused.err)"
[ "$(tail -n 1 out.txt)" -lt 400 ] || fail "the program ran on although the restart was refused"
echo "PASS: refused: $(cut -c1-160 refused.err)..."

DMTCP_CPU_FEATURES="$first" "$tools/dmtcp_restart" --ignore-cpu-features "$image" 2> restart.err
rc=$?
[ $rc = 42 ] || fail "--ignore-cpu-features: exit $rc, want the counter's 42: $(cat restart.err)"
diff <(seq 1 400) out.txt > /dev/null || fail "out.txt is not 1..400"
echo "PASS: --ignore-cpu-features restarts it; the counter went on to 400"
