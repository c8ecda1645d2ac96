#!/usr/bin/env bash
# The fixed cost of checkpointing a tiny process (a counter, an image of some tens of
# KiB): `dmtcp_command --bcheckpoint` end to end, median of N, against two baselines
# measured in the same run: one coordinator round trip (`dmtcp_command --status`) and
# writing the same number of bytes with `dd conv=fsync` (a checkpoint fsyncs its image).
#   bench/fixed_cost.sh [N]     (default 20)
set -euo pipefail
n=${1:-20}
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bazel build //core/tools:all_tools //testsuite:probes/counter >/dev/null 2>&1
tools="$repo/bazel-bin/core/tools"
work=$(mktemp -d /tmp/dmtcp-fixed-cost.XXXXXX)
cd "$work"
"$tools/dmtcp_coordinator" --port 0 --port-file port --ckptdir "$work" --quiet &
coord=$!
trap 'kill -9 $counter $coord 2>/dev/null; rm -rf "$work"' EXIT
counter=
for _ in $(seq 100); do [ -s port ] && break; sleep 0.05; done
export DMTCP_COORD_PORT=$(cat port)
"$tools/dmtcp_launch" --join-coordinator "$repo/bazel-bin/testsuite/probes/counter" 100000000 10 > out 2> err &
counter=$!
for _ in $(seq 100); do [ -s out ] && break; sleep 0.05; done
"$tools/dmtcp_command" --bcheckpoint > /dev/null
bytes=$(stat -c %s ckpt_counter_*.dmtcp)
python3 - "$tools" "$n" "$bytes" <<'PY'
import statistics, subprocess, sys, time
tools, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def median_ms(argv):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000
ckpt = median_ms([tools + "/dmtcp_command", "--bcheckpoint"])
status = median_ms([tools + "/dmtcp_command", "--status"])
dd = median_ms(["dd", "if=/dev/zero", "of=dd.out", "bs=%d" % size, "count=1", "conv=fsync"])
print("image %d bytes, medians of %d" % (size, n))
print("%-40s %8.1f ms" % ("dmtcp_command --bcheckpoint", ckpt))
print("%-40s %8.1f ms   checkpoint / this = %.1fx" % ("dmtcp_command --status (one round trip)", status, ckpt / status))
print("%-40s %8.1f ms   checkpoint / this = %.1fx" % ("dd conv=fsync of the image's size", dd, ckpt / dd))
PY
