#!/usr/bin/env bash
# Slurm for real (Debian's slurmctld and slurmd, started by ci/simslurm on the simulated
# hosts: slurmctld on h1, a node on each of h2 and h3): the sbatch recipe of
# docs/slurm.md (examples/slurm/checkpointed_job.sbatch) runs a counter under
# dmtcp_launch. It is checkpointed by its interval, then on `scancel --signal=USR1
# --full` with the interval off, then requeued with its node drained, so that it
# resumes from its images on the other node and counts on to the end. Its output must
# run 1..N before the requeue and on from the last checkpoint after it, to N, and the
# job end with the counter's exit code. Needs root; run by `bazel test
# //testsuite:distributed` and ci/test on x86_64.
. "$(dirname "$0")/simulated_hosts.sh"
recipe="$here/../examples/slurm/checkpointed_job.sbatch"
limit=300
# The page shows the recipe whole: a user copies what is tested.
python3 -c 'import sys; sys.exit(open(sys.argv[1]).read() not in open(sys.argv[2]).read())' \
  "$recipe" "$here/../docs/slurm.md" ||
  fail "docs/slurm.md does not show examples/slurm/checkpointed_job.sbatch as it is"

export SIMHOSTS=$simhosts SLURM_CONF=$SIMROOT/slurm/slurm.conf
cp "$here/../ci/simslurm" "$SIMROOT/simslurm" && chmod 755 "$SIMROOT/simslurm" || fail "cannot copy ci/simslurm"
trap '"$SIMROOT/simslurm" down; cleanup' EXIT
start=$(date +%s.%N)
"$SIMROOT/simslurm" up || fail "Slurm did not start"
echo "Slurm up (munged, slurmctld on h1, slurmd on h2 and h3) in $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s"

work=$SIMROOT/work
ckpt=$work/ckpt
mkdir -p "$work"
# Submitted from the shared folder: a checkout under /tmp is hidden by h1's own /tmp.
cp "$recipe" "$work/checkpointed_job.sbatch" || fail "cannot copy the recipe"
job=$(on h1 env PATH="$tools:$PATH" CKPT_DIR="$ckpt" CKPT_INTERVAL=2 \
  sbatch --parsable --chdir "$work" --output "$work/job.out" --error "$work/job.err" \
  "$work/checkpointed_job.sbatch" "$here/probes/counter" $limit 40 2> "$work/sbatch.err") ||
  fail "sbatch failed: $(cat "$work/sbatch.err")"
job=${job%%;*}
state() { on h1 scontrol show job "$job" | tr ' ' '\n' | grep "^$1=" | head -n 1 | cut -d= -f2-; }
numbers() { grep -c '^[0-9]*$' "$work/job.out" 2> /dev/null; }
checkpoint_number() { sed -n 's/^checkpoint=//p' "$ckpt/dmtcp_restart_script.sh" 2> /dev/null; }
# Conditions wait_for polls.
running_on() { [ "$(state JobState)" = RUNNING ] && { [ -z "${1:-}" ] || [ "$(state NodeList)" = "$1" ]; }; }
counted() { [ "$(numbers)" -ge "$1" ]; }
checkpointed_after() { [ "$(checkpoint_number)" -gt "$1" ] 2> /dev/null; }
ended() { ! on h1 scontrol show job "$job" | grep -q 'JobState=\(RUNNING\|PENDING\|COMPLETING\|REQUEUED\)'; }
wait_for() {  # wait_for SECONDS WHAT COMMAND...
  local limit=$1 what=$2
  shift 2
  for _ in $(seq $((limit * 10))); do "$@" && return 0; sleep 0.1; done
  fail "$what (job $job: $(on h1 scontrol show job "$job" | grep -o 'JobState=[^ ]*\|NodeList=[^ ]*\|Reason=[^ ]*' | tr '\n' ' '); $(tail -n 3 "$work/job.err" 2> /dev/null))"
}

wait_for 30 "the job did not start" running_on
node=$(state NodeList)
other=h2
[ "$node" = h2 ] && other=h3
wait_for 30 "the program did not start" counted 5
wait_for 30 "no checkpoint by the interval" checkpointed_after 0
echo "job $job runs on $node; checkpoint $(checkpoint_number) by the interval at number $(numbers)"

# Interval off, then the signal: the checkpoint that follows is the signal's.
on "$node" "$tools/dmtcp_command" -h "$node" -p "$(cat "$ckpt/port")" --interval 0 > /dev/null ||
  fail "cannot turn the interval off"
before=$(checkpoint_number)
sleep 0.5
[ "$(checkpoint_number)" = "$before" ] || before=$(checkpoint_number)  # one was under way
asked=$(numbers)
on h1 scancel --signal=USR1 --full "$job" || fail "scancel --signal=USR1 --full failed"
wait_for 20 "no checkpoint after scancel --signal=USR1 --full" checkpointed_after "$before"
sleep 1
[ "$(state JobState)" = RUNNING ] || fail "the job is $(state JobState) after the signal"
echo "checkpoint $(checkpoint_number) on SIGUSR1 (sent at number $asked); the job runs on at $(numbers)"

# The node goes away: drained and the job requeued, it must resume on the other one.
on h1 scontrol update nodename="$node" state=drain reason=dmtcp-test || fail "cannot drain $node"
killed_at=$(numbers)
on h1 scontrol requeue "$job" || fail "scontrol requeue failed"
wait_for 60 "the requeued job did not start on $other" running_on "$other"
echo "requeued at number $killed_at; running on $other (restarts: $(state Restarts))"
wait_for 90 "the requeued job did not end" ended

out=$(grep '^[0-9]*$' "$work/job.out")
[ "$(state ExitCode)" = "42:0" ] || fail "the job ended with $(state JobState) $(state ExitCode), want the counter's exit code 42"
# The first run counted 1..K; the resumed one from its last checkpoint C (C <= K) on.
first_run=$(awk 'NR > 1 && $1 != prev + 1 { exit } { print; prev = $1 }' <<<"$out" | tail -n 1)
resumed=$(awk -v k="$first_run" 'NR > k' <<<"$out")
from=$(head -n 1 <<<"$resumed")
[ -n "$from" ] && [ "$from" -gt "$asked" ] && [ "$from" -le $((first_run + 1)) ] ||
  fail "the requeued job did not resume from the signal's checkpoint: first run 1..$first_run, then from '$from' (signal sent at $asked)"
diff <(seq "$from" $limit) <(echo "$resumed") > /dev/null ||
  fail "the resumed run did not count $from..$limit: $(diff <(seq "$from" $limit) <(echo "$resumed") | head -n 4 | tr '\n' ' ')"
grep -q "checkpoint asked for" "$work/job.err" || fail "the batch shell did not see the signal"
echo "PASS: distributed_slurm_test (counted 1..$first_run on $node, resumed from $from on $other to $limit, exit 42)"
