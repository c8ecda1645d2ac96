#!/usr/bin/env bash
# One 64-bit installation with the 32-bit pieces beside it (ci/install --with i386):
# its dmtcp_launch runs a 32-bit program under the 32-bit runtime, its dmtcp_restart
# restarts the 32-bit image with the 32-bit restorer, and 64-bit programs work as
# before. An installation without the 32-bit pieces refuses the 32-bit image clearly.
# Run by ci/test after the x86_64 and i386 builds (it needs both).
set -uo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/dmtcp-multiarch.XXXXXX)
trap 'pkill -9 -f "$work" 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
ci/install "$work/both" --with i386 >/dev/null || fail "ci/install --with i386"
ci/install "$work/only64" >/dev/null || fail "ci/install"
# Below the kernel's ephemeral ports (32768 up), where no client socket holds it.
export DMTCP_COORD_PORT=$((20000 + RANDOM % 12000))

run_one() {  # name, counter binary[, how it runs]: launch, checkpoint, kill, restart, check
  local name=$1 counter=$2 how=${3:-natively} dir="$work/$1"
  mkdir -p "$dir" && cd "$dir" || return 1
  "$work/both/bin/dmtcp_launch" --ckptdir "$dir" "$counter" 200 10 > out 2> err &
  local pid=$!
  for _ in $(seq 300); do grep -qx 20 out 2>/dev/null && break; sleep 0.05; done
  "$work/both/bin/dmtcp_command" -bc > /dev/null || fail "$name: checkpoint: $(cat err)"
  kill -9 $pid; wait $pid 2>/dev/null
  "$work/both/bin/dmtcp_restart" ckpt_*.dmtcp 2> restart.err
  local rc=$?
  [ $rc -eq 42 ] || fail "$name: restart exit $rc: $(cat restart.err)"
  diff -q <(seq 1 200) out > /dev/null || fail "$name: output is not 1..200"
  echo "PASS: $name: $(file -bL "$counter" | cut -d, -f1), run $how, checkpointed and restarted by the 64-bit tools"
  cd - > /dev/null
}

# ci/binfmt registers qemu-i386 only where the kernel cannot run 32-bit programs.
if [ "$(head -1 /proc/sys/fs/binfmt_misc/qemu-i386 2>/dev/null)" = enabled ]; then
  i386_how="under QEMU user mode (no IA32 emulation in this kernel)"
else
  i386_how="natively (IA32 emulation)"
fi
run_one i386 "$PWD/bazel-out/i386-opt/bin/testsuite/probes/counter" "$i386_how"
run_one x86_64 "$PWD/bazel-out/x86_64-opt/bin/testsuite/probes/counter"

image=$(ls "$work"/i386/ckpt_*.dmtcp)
"$work/only64/bin/dmtcp_restart" "$image" 2> "$work/refused.err"
rc=$?
[ $rc -eq 99 ] || fail "a 64-bit-only install restarted a 32-bit image (exit $rc)"
grep -q "checkpointed on i386" "$work/refused.err" || fail "unclear refusal: $(cat "$work/refused.err")"
echo "PASS: without the 32-bit pieces: $(cat "$work/refused.err")"
