#!/usr/bin/env bash
# Checkpoint time and image size with the default (only the changed pages of programs'
# and libraries' read-only mappings are stored) against DMTCP_ALL_PAGES=1 (every page
# stored, as before), measured in this run on the same programs: Python 3 idling, and
# 4 MPICH ranks (testsuite/zoo/apps/mpi_ring.c) when mpicc.mpich is installed.
#   bench/file_pages.sh [dir]     (default: a new dir under /tmp)
# Each line: best of three blocking checkpoints (dmtcp_command -bc), images on disk.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d /tmp/dmtcp-bench.XXXXXX)}
mkdir -p "$work"
cd "$repo"
bazel build //core/tools:all_tools >/dev/null 2>&1
tools="$repo/bazel-bin/core/tools"
cd "$work"

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l | xargs printf '%.3f'; }
ratio() { echo "$1 / $2" | bc -l | xargs printf '%.1f'; }

"$tools/dmtcp_coordinator" --port 0 --port-file port --ckptdir "$work" --quiet &
coord=$!
trap 'kill $coord 2>/dev/null; rm -f "$work"/ckpt_*' EXIT
for _ in $(seq 100); do [ -s port ] && break; sleep 0.05; done
export DMTCP_COORD_PORT=$(cat port)

programs=("python" "$(command -v python3)" -c
          'import time; print("ready", flush=True)
while True: time.sleep(0.05)')
mpi=()
if command -v mpicc.mpich >/dev/null && command -v mpiexec.mpich >/dev/null; then
  mpicc.mpich -O2 -o ring "$repo/testsuite/zoo/apps/mpi_ring.c"
  mpi=(mpiexec.mpich -n 4 ./ring 1000000 50)
else
  echo "MPICH skipped: mpicc.mpich or mpiexec.mpich is not installed (packages mpich, libmpich-dev)"
fi

measure() {  # all_pages(0/1) argv... -> "seconds bytes"
  local all=$1
  shift
  rm -f ckpt_* out
  DMTCP_ALL_PAGES=$all "$tools/dmtcp_launch" --join-coordinator "$@" > out 2>&1 &
  local pid=$!
  until grep -qE '^(ready|step 3 )' out 2>/dev/null; do sleep 0.05; done
  local best=""
  for _ in 1 2 3; do
    local t0 t1 t
    t0=$(now); "$tools/dmtcp_command" -bc >/dev/null; t1=$(now); t=$(secs "$t0" "$t1")
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
  done
  local bytes
  bytes=$(cat ckpt_*.dmtcp | wc -c)
  "$tools/dmtcp_command" -k >/dev/null
  wait $pid 2>/dev/null || true
  echo "$best $bytes"
}

printf '%-8s %14s %12s %14s %12s %9s %9s\n' program all_pages_s all_MiB changed_only_s changed_MiB x_time x_size
run() {  # name argv...
  local name=$1
  shift
  read -r t_all b_all < <(measure 1 "$@")
  read -r t_def b_def < <(measure 0 "$@")
  printf '%-8s %14s %12.1f %14s %12.1f %9s %9s\n' "$name" "$t_all" \
    "$(echo "$b_all / 1048576" | bc -l)" "$t_def" "$(echo "$b_def / 1048576" | bc -l)" \
    "$(ratio "$t_all" "$t_def")" "$(ratio "$b_all" "$b_def")"
}
run "${programs[@]}"
[ ${#mpi[@]} -eq 0 ] || run mpich "${mpi[@]}"
