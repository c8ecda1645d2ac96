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

# Baselines: the same byte count, random and zero, to the same directory.
head -c $((mib << 20)) /dev/urandom > dd.src
t0=$(now); dd if=dd.src of=dd.random bs=1M conv=fsync status=none; t1=$(now)
dd_write_random=$(secs "$t0" "$t1")
t0=$(now); dd if=/dev/zero of=dd.zero bs=1M count="$mib" conv=fsync status=none; t1=$(now)
dd_write_zero=$(secs "$t0" "$t1")
t0=$(now); dd if=dd.random of=/dev/null bs=1M status=none; t1=$(now)
dd_read=$(secs "$t0" "$t1")
rm -f dd.src dd.zero

printf '%-7s %-5s %10s %8s %10s %8s %12s\n' data codec ckpt_s x_dd restart_s x_dd image_MiB
for kind in random zero; do
  for codec in gzip none; do
    rm -f ckpt_* go out.*
    flag=--gzip; [ $codec = none ] && flag=--no-gzip
    "$tools/dmtcp_launch" --join-coordinator $flag "$probe" $kind "$mib" go > out.launch 2>&1 &
    pid=$!
    until grep -q ready out.launch 2>/dev/null; do sleep 0.05; done
    t0=$(now); "$tools/dmtcp_command" -bc >/dev/null; t1=$(now)
    ckpt=$(secs "$t0" "$t1")
    kill -9 $pid; wait $pid 2>/dev/null || true
    size=$(stat -c %s ckpt_*.dmtcp)
    touch go
    t0=$(now)
    "$tools/dmtcp_restart" --join-coordinator ckpt_*.dmtcp > out.restart 2>&1 &
    rpid=$!
    until grep -q resumed out.launch 2>/dev/null; do sleep 0.002; done
    t1=$(now)
    wait $rpid || true
    restart=$(secs "$t0" "$t1")
    base=$dd_write_random; [ $kind = zero ] && base=$dd_write_zero
    printf '%-7s %-5s %10s %8s %10s %8s %12s\n' $kind $codec "$ckpt" "$(ratio "$ckpt" "$base")" \
      "$restart" "$(ratio "$restart" "$dd_read")" "$(echo "$size / 1048576" | bc -l | xargs printf '%.1f')"
  done
done
echo
echo "baselines for $mib MiB: dd write+fsync random ${dd_write_random}s, zeros ${dd_write_zero}s;" \
     "dd read (page cache) ${dd_read}s"
echo "x_dd: checkpoint time / dd write of the same bytes; restart time / dd read of them."
