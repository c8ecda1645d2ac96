#!/usr/bin/env bash
# docs/plugin-tutorial.md, followed as a reader would: its plugin is cut out of the
# page, built with gcc against the public dmtcp.h alone (no Bazel, no other header of
# ours), loaded with --with-plugin into a counter that is checkpointed, killed and
# restarted; the plugin's RUNNING hook must report both times, and the counter end
# where it should. Host programs only (the page's gcc command builds for this machine).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd -P)"
tools="$(cd "$here/../core/tools" && pwd -P)"
header="$(cd "$here/../core/api" && pwd -P)/dmtcp.h"
page="$here/../docs/plugin-tutorial.md"
export PATH="$tools:$PATH"
work="${TEST_TMPDIR:-$(mktemp -d)}/tutorial"
mkdir -p "$work/include" && cd "$work" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
command -v gcc >/dev/null || fail "no gcc to build the tutorial's plugin"

cp "$header" include/
# The first ```c block of the page.
awk '/^```c$/ {on = 1; next} /^```$/ && on {exit} on' "$page" > count.c
[ -s count.c ] || fail "no C block in docs/plugin-tutorial.md"
gcc -shared -fPIC -O2 -Iinclude -o libcount.so count.c 2> gcc.txt || fail "the tutorial's plugin does not build: $(cat gcc.txt)"
cp "$here/probes/counter" ./a.out

for attempt in 1 2 3 4 5; do
  # Below the kernel's ephemeral ports (32768 up): a client socket of another test
  # holding the port would make the coordinator's bind fail.
  export DMTCP_COORD_PORT=$((20000 + RANDOM % 12000))
  dmtcp_command --status >/dev/null 2>&1 || break
done
dmtcp_launch --with-plugin "$work/libcount.so" ./a.out 200 10 > out.txt 2> err.txt &
pid=$!
for i in $(seq 1 300); do grep -qx 20 out.txt 2>/dev/null && break; sleep 0.05; done
grep -qx 20 out.txt || fail "a.out did not start: $(cat err.txt)"
dmtcp_command --bcheckpoint > /dev/null || fail "dmtcp_command --bcheckpoint exited $?"
# --bcheckpoint returns once the images are written; the RUNNING hook comes just after.
for i in $(seq 1 100); do grep -q "opens so far (checkpointed)" err.txt && break; sleep 0.05; done
grep -q "opens so far (checkpointed)" err.txt || fail "the plugin did not report after the checkpoint: $(cat err.txt)"
kill -9 $pid; wait $pid 2>/dev/null
dmtcp_restart ckpt_a.out_*.dmtcp 2> restart.txt
rc=$?
[ $rc -eq 42 ] || fail "dmtcp_restart passed on exit code $rc, want 42: $(cat restart.txt)"
cat err.txt restart.txt | grep -q "opens so far (restarted)" || fail "the plugin did not report after the restart: $(cat err.txt restart.txt)"
diff <(seq 1 200) out.txt > /dev/null || fail "out.txt is not 1..200"
echo "PASS: the tutorial's plugin built from the page alone, reported after the checkpoint and the restart"
