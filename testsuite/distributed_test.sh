#!/usr/bin/env bash
# A computation on two hosts (ci/simhosts: network namespaces with their own names and
# /tmp, sharing one checkpoint directory): on h2, a job under dmtcp_launch starts a
# server on h3 with ssh and talks to it over TCP, each checking the other's numbers;
# the coordinator runs on h1. Twice: with an ssh-compatible agent (checkpointed and
# killed, restarted by dmtcp_restart_script.sh on the same hosts, checkpointed and
# killed again, restarted with the hosts swapped by --host), and with OpenSSH's client
# and sshd (checkpointed, killed, restarted on swapped hosts over ssh). Each must end
# as an uninterrupted run would: every number served once, in order, and the client's
# last sum right. Needs root (namespaces); run by ci/test on x86_64 and by
# `bazel test //testsuite:distributed`.
. "$(dirname "$0")/simulated_hosts.sh"
netpeer="$here/probes/netpeer"
numbers=400

# Starts the job on h2: `$1 h3 netpeer serve` in the background, the client here.
# Outputs go to $out/{client,server}.out.
launch_job() {
  local ssh=$1
  mkdir -p "$out"
  printf '#!/bin/bash\n%s h3 %q serve 5000 > %q &\n%q connect h3 5000 %d\nwait\n' \
    "$ssh" "$netpeer" "$out/server.out" "$netpeer" $numbers > "$out/job.sh"
  chmod 755 "$out/job.sh"
  (on h2 "$tools/dmtcp_launch" -h $coord -p $port "$out/job.sh" > "$out/client.out" 2> "$out/client.err" &)
}

# Waits until the client has got `n` more answers than it had.
progress() {
  local n=$1 before
  before=$(grep -c '^[0-9]' "$out/client.out" 2> /dev/null)
  for _ in $(seq 600); do
    [ "$(grep -c '^[0-9]' "$out/client.out" 2> /dev/null)" -ge $((before + n)) ] && return 0
    grep -q FAILED "$out/client.out" "$out/server.out" 2> /dev/null && break
    sleep 0.05
  done
  fail "no progress: client $(tail -n 1 "$out/client.out"), server $(tail -n 1 "$out/server.out" 2> /dev/null); $(cat "$out/client.err" "$out"/restart*.err 2> /dev/null)"
}

# Checkpoints and kills; the images must name both hosts.
checkpoint_and_kill() {
  coordinator -kc > "$out/kc.out" 2>&1 || fail "dmtcp_command -kc: $(cat "$out/kc.out")"
  for _ in $(seq 200); do
    [ "$(coordinator -s 2> /dev/null | grep -o 'NUM_PEERS=[0-9]*')" = NUM_PEERS=0 ] && break
    sleep 0.05
  done
  local script="$SIMROOT/ckpt/dmtcp_restart_script.sh"
  grep -q "^#     h2: " "$script" && grep -q "^#     h3: " "$script" ||
    fail "the restart script does not name both hosts: $(grep '^#' "$script")"
  echo "checkpointed at client $(tail -n 1 "$out/client.out"): $(grep -c '^#     h' "$script") processes"
}

# Runs the restart script on host $1 with the rest as its options, to the end: the job
# must end as an uninterrupted run would.
restart_to_the_end() {
  local from=$1
  shift
  rm -f "$out/restart.rc"
  (on "$from" "$SIMROOT/ckpt/dmtcp_restart_script.sh" "$@" > "$out/restart.out" 2> "$out/restart.err"
   echo $? > "$out/restart.rc") &
  for _ in $(seq 1200); do [ -f "$out/restart.rc" ] && break; sleep 0.05; done
  [ "$(cat "$out/restart.rc" 2> /dev/null)" = 0 ] ||
    fail "the restart ($*) exited $(cat "$out/restart.rc" 2> /dev/null): $(cat "$out/restart.err")"
  local sum=$((numbers * (numbers + 1) / 2))
  grep -qx "netpeer done $numbers $sum" "$out/client.out" ||
    fail "the client did not finish right: $(tail -n 3 "$out/client.out")"
  grep -qx "netpeer served $numbers $sum" "$out/server.out" ||
    fail "the server did not finish right: $(tail -n 3 "$out/server.out")"
  ! grep -h FAILED "$out/client.out" "$out/server.out" || fail "a peer saw a broken sequence"
  diff <(seq 1 $numbers) <(grep '^[0-9]' "$out/server.out" | cut -d' ' -f1) > /dev/null ||
    fail "the server did not get each number once, in order"
  sort -n -c -u <(grep '^[0-9]' "$out/client.out" | cut -d' ' -f1) 2> /dev/null ||
    fail "the client's answers went backwards (a restart from the beginning?)"
}

# 1. Through an ssh-compatible agent named ssh in PATH, as a site's ssh wrapper would
# be: restarted on the same hosts from h2, then migrated to swapped hosts from h1.
out=$SIMROOT/agent
launch_job "$SIMROOT/bin/ssh"
progress 20
checkpoint_and_kill
(on h2 "$SIMROOT/ckpt/dmtcp_restart_script.sh" > "$out/restart1.out" 2> "$out/restart1.err" &)
progress 20
echo "PASS: restarted on the same hosts"
checkpoint_and_kill
restart_to_the_end h1 --host h2=h3 --host h3=h2
grep -q "h3: .*dmtcp_restart.*ckpt_bash_" "$SIMROOT/rsh.log" &&
  grep -q "h2: .*dmtcp_restart.*ckpt_dmtcp_sshd_" "$SIMROOT/rsh.log" ||
  fail "the processes were not restarted on swapped hosts: $(grep dmtcp_restart "$SIMROOT/rsh.log")"
echo "PASS: migrated to swapped hosts; $numbers numbers served once each"

# 2. Through OpenSSH: sshd on h2 and h3 with keys made here; the job's ssh and the
# restart script's are the real client.
if [ ! -x /usr/sbin/sshd ] || ! command -v ssh-keygen > /dev/null; then
  fail "OpenSSH is missing (packages openssh-server, openssh-client; ci/setup installs them)"
fi
out=$SIMROOT/openssh
keys=$SIMROOT/keys
mkdir -p "$keys" /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$keys/host" && ssh-keygen -q -t ed25519 -N '' -f "$keys/user" ||
  fail "ssh-keygen"
cp "$keys/user.pub" "$keys/authorized_keys"
printf '%s\n' "HostKey $keys/host" "AuthorizedKeysFile $keys/authorized_keys" \
  "PermitRootLogin prohibit-password" "PasswordAuthentication no" \
  "KbdInteractiveAuthentication no" "StrictModes no" "UsePAM no" "PrintMotd no" \
  "PidFile /tmp/sshd.pid" > "$keys/sshd_config"
printf '%s\n' "Host h1 h2 h3" "  IdentityFile $keys/user" "  UserKnownHostsFile /dev/null" \
  "  StrictHostKeyChecking no" "  BatchMode yes" "  LogLevel ERROR" > "$keys/ssh_config"
for h in h2 h3; do
  (on $h /usr/sbin/sshd -D -f "$keys/sshd_config" -E "$keys/sshd-$h.log" &)
done
for _ in $(seq 100); do
  on h2 ssh -F "$keys/ssh_config" h3 true 2> /dev/null && on h3 ssh -F "$keys/ssh_config" h2 true 2> /dev/null && break
  sleep 0.1
done
on h2 ssh -F "$keys/ssh_config" h3 true || fail "sshd does not answer: $(cat "$keys"/sshd-*.log)"
export DMTCP_REMOTE_SHELL="ssh -F $keys/ssh_config"
launch_job "ssh -F $keys/ssh_config"
progress 20
checkpoint_and_kill
restart_to_the_end h2 --host h2=h3 --host h3=h2
echo "PASS: OpenSSH: started over ssh, migrated to swapped hosts over ssh; $numbers numbers served once each"
pkill -f "sshd -D -f $keys/sshd_config"
echo "PASS: distributed_test"
