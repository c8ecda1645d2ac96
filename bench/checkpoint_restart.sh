#!/usr/bin/env bash
# Checkpoint and restart time and image size for a process holding 1 GiB of random
# data and one holding 1 GiB of zeros, with gzip and without, each against raw `dd` of
# the same number of bytes to the same directory, measured in this run.
#   bench/checkpoint_restart.sh [MiB] [dir]     (defaults: 1024, a new dir under /tmp)
# Checkpoints are fsync'ed, so the write baseline is `dd conv=fsync`. Restart reads the
# image from the page cache (this VM cannot drop caches), so the read baseline is `dd`
# reading the just-written file, also from the page cache.
set -euo pipefail
mib=${1:-1024}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${2:-$(mktemp -d /tmp/dmtcp-bench.XXXXXX)}
mkdir -p "$work"
cd "$repo"
bazel build //core/tools:all_tools //bench:bench_memory >/dev/null 2>&1
tools="$repo/bazel-bin/core/tools"
probe="$repo/bazel-bin/bench/bench_memory"
cd "$work"

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l | xargs printf '%.3f'; }
ratio() { echo "$1 / $2" | bc -l | xargs printf '%.2f'; }

"$tools/dmtcp_coordinator" --port 0 --port-file port --ckptdir "$work" --quiet &
coord=$!
trap 'kill $coord 2>/dev/null; rm -f "$work"/ckpt_* "$work"/dd.*' EXIT
for _ in $(seq 100); do [ -s port ] && break; sleep 0.05; done
export DMTCP_COORD_PORT=$(cat port)

# This VM is slow the first time it touches memory it has not used yet (page cache
# included), so warm up first; then take the best of three runs for each baseline,
# and the best of two for each of ours.
head -c $((mib << 20)) /dev/urandom > dd.src
dd if=/dev/zero of=dd.warm bs=1M count=$((2 * mib)) conv=fsync status=none; rm -f dd.warm
best() {  # best of three timings of "$@"
  local best=""
  for _ in 1 2 3; do
    local t0 t1 t
    t0=$(now); "$@"; t1=$(now); t=$(secs "$t0" "$t1")
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
  done
  echo "$best"
}
dd_write_random=$(best dd if=dd.src of=dd.random bs=1M conv=fsync status=none)
dd_write_zero=$(best dd if=/dev/zero of=dd.zero bs=1M count="$mib" conv=fsync status=none)
dd_read=$(best dd if=dd.random of=/dev/null bs=1M status=none)
rm -f dd.src dd.zero

printf '%-7s %-5s %10s %8s %10s %8s %12s\n' data codec ckpt_s x_dd restart_s x_dd image_MiB
measure() {  # kind codec -> "ckpt_s restart_s image_bytes"
  local kind=$1 codec=$2 flag=--gzip
  [ "$codec" = none ] && flag=--no-gzip
  rm -f ckpt_* go out.*
  "$tools/dmtcp_launch" --join-coordinator $flag "$probe" "$kind" "$mib" go > out.launch 2>&1 &
  local pid=$!
  until grep -q ready out.launch 2>/dev/null; do sleep 0.05; done
  local t0 t1 t2 t3
  t0=$(now); "$tools/dmtcp_command" -bc >/dev/null; t1=$(now)
  kill -9 $pid; wait $pid 2>/dev/null || true
  local size
  size=$(stat -c %s ckpt_*.dmtcp)
  touch go
  t2=$(now)
  "$tools/dmtcp_restart" --join-coordinator ckpt_*.dmtcp > out.restart 2>&1 &
  local rpid=$!
  until grep -q resumed out.launch 2>/dev/null; do sleep 0.002; done
  t3=$(now)
  wait $rpid || true
  echo "$(secs "$t0" "$t1") $(secs "$t2" "$t3") $size"
}
min() { [ "$(echo "$1 < $2" | bc)" = 1 ] && echo "$1" || echo "$2"; }

for kind in random zero; do
  for codec in gzip none; do
    read -r c1 r1 size < <(measure $kind $codec)
    read -r c2 r2 size < <(measure $kind $codec)
    ckpt=$(min "$c1" "$c2")
    restart=$(min "$r1" "$r2")
    base=$dd_write_random; [ $kind = zero ] && base=$dd_write_zero
    printf '%-7s %-5s %10s %8s %10s %8s %12s\n' $kind $codec "$ckpt" "$(ratio "$ckpt" "$base")" \
      "$restart" "$(ratio "$restart" "$dd_read")" "$(echo "$size / 1048576" | bc -l | xargs printf '%.1f')"
  done
done
echo
echo "baselines for $mib MiB: dd write+fsync random ${dd_write_random}s, zeros ${dd_write_zero}s;" \
     "dd read (page cache) ${dd_read}s"
echo "x_dd: checkpoint time / dd write of the same bytes; restart time / dd read of them."
