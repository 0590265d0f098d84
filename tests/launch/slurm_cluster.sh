#!/usr/bin/env bash
# A throwaway SLURM cluster on this machine, for the end-to-end tests of launch/slurm/: a private
# munged, one slurmctld and two slurmd ("n1", "n2", one CPU each) on one host, all in one folder,
# on free ports, as root, without systemd or cgroups. Debian 12's slurmctld, slurmd, slurm-client
# and munge (Slurm 22.05) must be installed; nothing outside the folder is read or written, so
# several clusters (two test runs) can coexist.
#
#   tests/launch/slurm_cluster.sh run DIR CMD...  # start, run CMD with SLURM_CONF set, stop; CMD's status
#   tests/launch/slurm_cluster.sh start DIR       # start and leave running (prints the SLURM_CONF line)
#   tests/launch/slurm_cluster.sh stop DIR        # cancel every job, stop the daemons that start began
#
# Or sourced: `source slurm_cluster.sh; slurm_cluster_start DIR; trap 'slurm_cluster_stop DIR' EXIT`.
# The daemons are stopped by the pids recorded in DIR/pids (never by name), after their jobs are
# cancelled. SLURM_CLUSTER_KILL_WAIT sets KillWait (default 10 s).

slurm_cluster_say() { printf '[slurm_cluster] %s\n' "$*" >&2; }

# A TCP port nothing listens on, from a range away from the usual services (bash's /dev/tcp
# connects to it when something listens). $1: ports already taken by this cluster.
slurm_cluster_free_port() {
  local port
  for _ in $(seq 200); do
    port=$((20000 + RANDOM % 30000))
    [[ " $1 " == *" $port "* ]] && continue
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
    echo "$port"
    return 0
  done
  slurm_cluster_say "no free TCP port found"
  return 1
}

# slurm_cluster_wait SECONDS WHAT COMMAND...: retries COMMAND every 0.5 s until it succeeds.
slurm_cluster_wait() {
  local seconds=$1 what=$2
  shift 2
  for _ in $(seq $((seconds * 2))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  slurm_cluster_say "timed out after ${seconds} s waiting for $what"
  return 1
}

# Starts a daemon in the foreground of a background job, so that its pid is ours to stop.
slurm_cluster_spawn() {  # slurm_cluster_spawn DIR NAME COMMAND...
  local dir=$1 name=$2
  shift 2
  "$@" >"$dir/log/$name.out" 2>&1 &
  echo "$! $name" >>"$dir/pids"
}

slurm_cluster_write_conf() {  # slurm_cluster_write_conf DIR HOST CTLD_PORT N1_PORT N2_PORT
  local dir=$1 host=$2 ctld=$3 p1=$4 p2=$5
  cat >"$dir/slurm.conf" <<EOF
# Written by tests/launch/slurm_cluster.sh: a test cluster of two one-CPU nodes on one host.
ClusterName=hierad-test
# slurmctld recognises itself by the short host name; the address keeps traffic on loopback.
SlurmctldHost=$host(127.0.0.1)
# Free ports picked at start: a second test cluster (or a real slurmctld) may be running.
SlurmctldPort=$ctld
# Everything runs as root here (CI and containers); jobs run as the submitting user, root.
SlurmUser=root
SlurmdUser=root
# Our own munged on our own socket, with a key made for this cluster: no system munged needed.
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
# %n: each slurmd (one per node name) needs its own spool, pid and log file, and its own TmpFS:
# the PMIx plugin makes its per-step folder under TmpFS, and two slurmd on one host with one TmpFS
# collide ("Cannot create client cli tmpdir: File exists").
SlurmdSpoolDir=$dir/spool/%n
TmpFS=$dir/tmp/%n
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd-%n.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd-%n.log
# No cgroups without systemd (and none writable in containers): linuxproc tracks a job's
# processes by parentage, which also finds what srun, hierad sweep and their children start.
ProctrackType=proctrack/linuxproc
# task/affinity works here but pins both one-CPU nodes of this host to CPU 0; task/none leaves
# placement to the kernel (srun --cpu-bind then only warns "lacks support for cpu binding").
TaskPlugin=task/none
# No slurmdbd: no accounting, so no sacct; squeue/scontrol keep finished jobs for MinJobAge.
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MinJobAge=600
# CPUs are the consumable resource: one task of one CPU per node at a time.
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
# Trust the node lines below rather than the hardware (the host has more CPUs than a node).
SlurmdParameters=config_overrides
# Many sites have no default MPI plugin: sweep.sbatch must ask for the one it needs itself.
MpiDefault=none
# A node that registers after being marked down (slow start) becomes usable again by itself.
ReturnToService=2
# SIGTERM to SIGKILL at a time limit, scancel or requeue: enough for a checkpoint of the tiny
# models of the tests, short enough for the tests to wait for it.
KillWait=${SLURM_CLUSTER_KILL_WAIT:-10}
InactiveLimit=0
# Requeueing (scontrol requeue, the batch script's own) is allowed; this is also the default.
JobRequeue=1
NodeName=n1 NodeHostname=$host NodeAddr=127.0.0.1 Port=$p1 CPUs=1 State=UNKNOWN
NodeName=n2 NodeHostname=$host NodeAddr=127.0.0.1 Port=$p2 CPUs=1 State=UNKNOWN
PartitionName=test Nodes=n1,n2 Default=YES MaxTime=INFINITE State=UP
EOF
}

# Whether PID is still the daemon PROGRAM that start began: not gone, not a zombie left for the
# shell that started it to reap, not a reused pid (`stop` may come from another shell, later).
slurm_cluster_is_running() {  # slurm_cluster_is_running PID PROGRAM
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  [[ $stat == *"($2) "[^Z]* ]]
}

slurm_cluster_all_idle() {
  local states
  states=$(sinfo -h -N -o '%N %t') || return 1
  [[ $(grep -c ' idle$' <<<"$states") -eq 2 ]]
}

slurm_cluster_start() {  # slurm_cluster_start DIR
  local dir=$1 host ctld p1 p2 node
  for tool in munged munge slurmctld slurmd sinfo scontrol; do
    command -v "$tool" >/dev/null || { slurm_cluster_say "$tool is missing: apt-get install slurmctld slurmd slurm-client munge"; return 1; }
  done
  [[ $(id -u) -eq 0 ]] || { slurm_cluster_say "must run as root (the daemons run as root)"; return 1; }
  [[ ! -e $dir/pids ]] || { slurm_cluster_say "$dir already holds a cluster (stop it first)"; return 1; }
  # PMIx puts unix sockets under TmpFS: their paths must stay short (108 bytes).
  [[ ${#dir} -le 40 ]] || { slurm_cluster_say "folder path too long for PMIx's sockets: $dir"; return 1; }
  mkdir -p "$dir"/{munge,state,run,log,spool/n1,spool/n2,tmp/n1,tmp/n2}
  : >"$dir/pids"
  host=$(hostname -s)
  ctld=$(slurm_cluster_free_port "")
  p1=$(slurm_cluster_free_port "$ctld")
  p2=$(slurm_cluster_free_port "$ctld $p1")
  slurm_cluster_write_conf "$dir" "$host" "$ctld" "$p1" "$p2"
  export SLURM_CONF=$dir/slurm.conf

  # munged insists on a key only root can read, in a folder others may enter (for the socket).
  dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$dir/munge/munge.key"
  chmod 755 "$dir/munge"
  # --force: munged refuses to run as root otherwise.
  slurm_cluster_spawn "$dir" munged munged --foreground --force --socket="$dir/munge/munge.socket" \
    --key-file="$dir/munge/munge.key" --pid-file="$dir/munge/munged.pid" \
    --seed-file="$dir/munge/munged.seed" --log-file="$dir/log/munged.log"
  slurm_cluster_wait 20 munged bash -c "munge -S '$dir/munge/munge.socket' -n | unmunge -S '$dir/munge/munge.socket'"
  slurm_cluster_spawn "$dir" slurmctld slurmctld -D -f "$SLURM_CONF"
  slurm_cluster_wait 30 slurmctld bash -c 'scontrol ping | grep -q UP'
  for node in n1 n2; do
    # -N: the node this slurmd is (several slurmd on one host, each on its node's Port).
    slurm_cluster_spawn "$dir" "slurmd-$node" slurmd -D -N "$node" -f "$SLURM_CONF"
  done
  slurm_cluster_wait 60 "both nodes idle" slurm_cluster_all_idle
  slurm_cluster_say "up: $(sinfo -h -N -o '%N:%t' | tr '\n' ' ')(SLURM_CONF=$SLURM_CONF)"
}

slurm_cluster_stop() {  # slurm_cluster_stop DIR: safe to call twice, or after a failed start
  local dir=$1 pid name
  [[ -f $dir/pids ]] || return 0
  export SLURM_CONF=$dir/slurm.conf
  # Jobs first, while slurmctld and slurmd can still end them (KillWait, then SIGKILL).
  if grep -q ' slurmctld$' "$dir/pids" && scontrol ping 2>/dev/null | grep -q UP; then
    scancel --full --quiet --user="$(id -un)" 2>/dev/null || true
    local wait_s=$(( $(sed -n 's/^KillWait=//p' "$dir/slurm.conf") + 15 ))
    slurm_cluster_wait "$wait_s" "the jobs to end" bash -c '[[ -z $(squeue -h -t running,completing -o %i) ]]' || true
  fi
  # Then the daemons that start began, newest first (slurmd before slurmctld before munged).
  local entries
  mapfile -t entries < <(tac "$dir/pids")
  for entry in "${entries[@]}"; do
    read -r pid name <<<"$entry"
    slurm_cluster_is_running "$pid" "${name%%-*}" || continue
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 40); do slurm_cluster_is_running "$pid" "${name%%-*}" || break; sleep 0.25; done
    if slurm_cluster_is_running "$pid" "${name%%-*}"; then
      slurm_cluster_say "$name ($pid) ignored SIGTERM; SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  rm -f "$dir/pids"
  slurm_cluster_say "stopped (logs in $dir/log)"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  [[ $# -ge 2 ]] || { sed -n '8,10p' "$0" >&2; exit 2; }
  command=$1 dir=$2
  shift 2
  case $command in
    start) slurm_cluster_start "$dir" || { slurm_cluster_stop "$dir"; exit 1; }
           echo "export SLURM_CONF=$dir/slurm.conf" ;;
    stop) slurm_cluster_stop "$dir" ;;
    run)
      [[ $# -ge 1 ]] || { echo "run DIR CMD...: no command" >&2; exit 2; }
      trap 'slurm_cluster_stop "$dir"' EXIT
      trap 'exit 143' TERM HUP   # through the EXIT trap: a signal stops the daemons too
      trap 'exit 130' INT
      slurm_cluster_start "$dir"
      status=0
      "$@" || status=$?
      exit "$status" ;;
    *) echo "unknown command '$command' (start, stop, run)" >&2; exit 2 ;;
  esac
fi
