#!/usr/bin/env bash
# A computation on two hosts (ci/simhosts: network namespaces with their own names and
# /tmp, sharing one checkpoint directory): on h2, a job under dmtcp_launch starts a
# server on h3 with ssh (an ssh-compatible agent here, named ssh in PATH) and talks to
# it over TCP, each checking the other's numbers; the coordinator runs on h1. It is
# checkpointed and killed, restarted by dmtcp_restart_script.sh on the same hosts,
# checkpointed and killed again, and restarted with the hosts swapped (--host). It must
# end as an uninterrupted run would: every number served once, in order, and the
# client's last sum right. Needs root (namespaces); run by ci/test on x86_64 and by
# `bazel test //testsuite:distributed`.
set -uo pipefail
fail() { echo "FAIL: $*"; exit 1; }
if [ "$(id -u)" != 0 ]; then
  echo "SKIPPED LOUDLY: distributed_test needs root (network namespaces for the simulated hosts)"
  exit 0
fi
for tool in ip nsenter unshare; do
  command -v $tool > /dev/null || fail "$tool is missing (packages iproute2, util-linux; ci/setup installs them)"
done
here=$(cd "$(dirname "$0")" && pwd -P)
tools="$(cd "$here/../core/tools" && pwd -P)"
netpeer="$here/probes/netpeer"
simhosts="$(cd "$here/../ci" && pwd -P)/simhosts"
export SIMROOT
SIMROOT=$(mktemp -d "${TEST_TMPDIR:-/tmp}/dmtcp-dist.XXXXXX")
chmod 755 "$SIMROOT"
cleanup() {
  pkill -9 -f "$SIMROOT" 2> /dev/null
  pkill -9 -f "dmtcp_coordinator.*--ckptdir $SIMROOT" 2> /dev/null
  "$simhosts" down
  [ -n "${KEEP_SIMROOT:-}" ] || rm -rf "$SIMROOT"
}
trap cleanup EXIT
"$simhosts" up || fail "cannot make the simulated hosts"
on() { "$simhosts" exec "$@"; }

# The job's ssh is the agent, as a site's ssh would be: the runtime turns it into
# dmtcp_ssh either way.
mkdir -p "$SIMROOT/bin" "$SIMROOT/ckpt"
printf '#!/bin/sh\nexec %q rsh "$@"\n' "$simhosts" > "$SIMROOT/bin/ssh"
chmod 755 "$SIMROOT/bin/ssh"
export DMTCP_REMOTE_SHELL="$SIMROOT/bin/ssh"

port=$((20000 + RANDOM % 12000))
coord=10.78.0.1
numbers=600
on h1 "$tools/dmtcp_coordinator" --bind $coord -p $port --daemon --ckptdir "$SIMROOT/ckpt" \
  > "$SIMROOT/coordinator.log" 2>&1 || fail "the coordinator did not start: $(cat "$SIMROOT/coordinator.log")"
coordinator() { on h1 "$tools/dmtcp_command" -h $coord -p $port "$@"; }

cat > "$SIMROOT/job.sh" <<EOF
#!/bin/bash
export PATH=$SIMROOT/bin:\$PATH
ssh h3 $netpeer serve 5000 > $SIMROOT/server.out &
$netpeer connect h3 5000 $numbers
wait
EOF
chmod 755 "$SIMROOT/job.sh"
(on h2 "$tools/dmtcp_launch" -h $coord -p $port "$SIMROOT/job.sh" > "$SIMROOT/client.out" \
  2> "$SIMROOT/client.err" &)

# Waits until the client has got `n` more answers than it had.
progress() {
  local n=$1 before
  before=$(grep -c '^[0-9]' "$SIMROOT/client.out" 2> /dev/null)
  for _ in $(seq 600); do
    [ "$(grep -c '^[0-9]' "$SIMROOT/client.out" 2> /dev/null)" -ge $((before + n)) ] && return 0
    grep -q FAILED "$SIMROOT/client.out" "$SIMROOT/server.out" 2> /dev/null && break
    sleep 0.05
  done
  fail "no progress: client $(tail -n 1 "$SIMROOT/client.out"), server $(tail -n 1 "$SIMROOT/server.out" 2> /dev/null); $(cat "$SIMROOT/client.err" "$SIMROOT"/restart*.err 2> /dev/null)"
}

# Checkpoints and kills; the images must name both hosts.
checkpoint_and_kill() {
  coordinator -kc > "$SIMROOT/kc.out" 2>&1 || fail "dmtcp_command -kc: $(cat "$SIMROOT/kc.out")"
  for _ in $(seq 200); do
    [ "$(coordinator -s 2> /dev/null | grep -o 'NUM_PEERS=[0-9]*')" = NUM_PEERS=0 ] && break
    sleep 0.05
  done
  local script="$SIMROOT/ckpt/dmtcp_restart_script.sh"
  grep -q "^#     h2: " "$script" && grep -q "^#     h3: " "$script" ||
    fail "the restart script does not name both hosts: $(grep '^#' "$script")"
  echo "checkpointed at client $(tail -n 1 "$SIMROOT/client.out"): $(grep -c '^#     h' "$script") processes"
}

progress 20
checkpoint_and_kill
# Restarted from h2, as the user who ran the job would: h3's part goes over ssh.
(on h2 "$SIMROOT/ckpt/dmtcp_restart_script.sh" > "$SIMROOT/restart1.out" 2> "$SIMROOT/restart1.err" &)
progress 20
echo "PASS: restarted on the same hosts"
checkpoint_and_kill
# Migrated: h2's processes to h3 and h3's to h2, started from h1.
(on h1 "$SIMROOT/ckpt/dmtcp_restart_script.sh" --host h2=h3 --host h3=h2 \
  > "$SIMROOT/restart2.out" 2> "$SIMROOT/restart2.err"; echo $? > "$SIMROOT/restart2.rc") &
for _ in $(seq 1200); do [ -f "$SIMROOT/restart2.rc" ] && break; sleep 0.05; done
[ "$(cat "$SIMROOT/restart2.rc" 2> /dev/null)" = 0 ] ||
  fail "the migrated restart exited $(cat "$SIMROOT/restart2.rc" 2> /dev/null): $(cat "$SIMROOT/restart2.err")"
grep -q "h3: .*dmtcp_restart.*ckpt_bash_" "$SIMROOT/rsh.log" &&
  grep -q "h2: .*dmtcp_restart.*ckpt_dmtcp_sshd_" "$SIMROOT/rsh.log" ||
  fail "the processes were not restarted on swapped hosts: $(grep dmtcp_restart "$SIMROOT/rsh.log")"

sum=$((numbers * (numbers + 1) / 2))
grep -qx "netpeer done $numbers $sum" "$SIMROOT/client.out" ||
  fail "the client did not finish right: $(tail -n 3 "$SIMROOT/client.out")"
grep -qx "netpeer served $numbers $sum" "$SIMROOT/server.out" ||
  fail "the server did not finish right: $(tail -n 3 "$SIMROOT/server.out")"
! grep -h FAILED "$SIMROOT/client.out" "$SIMROOT/server.out" || fail "a peer saw a broken sequence"
diff <(seq 1 $numbers) <(grep '^[0-9]' "$SIMROOT/server.out" | cut -d' ' -f1) > /dev/null ||
  fail "the server did not get each number once, in order"
sort -n -c -u <(grep '^[0-9]' "$SIMROOT/client.out" | cut -d' ' -f1) 2> /dev/null ||
  fail "the client's answers went backwards (a restart from the beginning?)"
echo "PASS: migrated to swapped hosts; $numbers numbers served once each, sum $sum"
echo "PASS: distributed_test"
