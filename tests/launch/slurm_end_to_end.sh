#!/usr/bin/env bash
# launch/slurm/ on a real SLURM: a throwaway cluster of two one-CPU nodes (slurm_cluster.sh) runs
# the tiny experiments of this folder through submit_sweep.sh and sweep.sbatch, and every result
# is compared bit for bit with the same runs made locally by launch/sweep:
#
#   sweep       two levels chained with afterok, every step on 2 ranks started by srun across both
#               nodes (--mpi=pmix); both ranks report world 2 and node-local rank 0
#   usr1        scancel --signal=USR1 --batch while training (the time-limit warning): checkpoint,
#               exit 75, the task requeues itself and resumes; --open-mode=append keeps both logs
#   requeue     scontrol requeue from outside while training: SIGTERM, checkpoint, SLURM requeues
#   timelimit   a rank SIGKILLed (resumes from the last periodic checkpoint within the task), then
#               the time limit with no warning: TIMEOUT; submitting again finishes the run
#   failure     --limit 1 runs the level's tasks one at a time; a failed task keeps the next level
#               from starting, and hierad status names the run and why
#
#   slurm_end_to_end.sh HIERAD COMPARE_CHECKPOINTS COMPARE_SCORE_FILES [CASE...]   (default: all)
#
# Needs root and Debian's slurmctld, slurmd, slurm-client and munge (launch/apt-packages.txt);
# exits 77 (skipped) without them. About 4 minutes on 2 cores, most of it the time-limit case
# (launch/CLUSTER.md). HIERAD_KEEP_TMP=1 keeps its folder.
set -euo pipefail
hierad=$(readlink -f "$1") compare_checkpoints=$(readlink -f "$2") compare_scores=$(readlink -f "$3")
shift 3
cases=("$@")
[[ ${#cases[@]} -gt 0 ]] || cases=(sweep usr1 requeue timelimit failure)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
source "$here/../common/test_env.sh"
source "$here/slurm_cluster.sh"

for tool in slurmctld slurmd munged sbatch; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed (launch/apt-packages.txt)"; exit 77; }
done
[[ $(id -u) -eq 0 ]] || { echo "SKIP: the test cluster's daemons need root"; exit 77; }

# A short path: PMIx puts unix sockets below the cluster folder.
tmp=$(mktemp -d /tmp/hierad-slurm.XXXXXX)
cluster=$tmp/c
finish() {
  local status=$?
  slurm_cluster_stop "$cluster" || true
  if [[ $status -ne 0 ]]; then
    echo "== FAILED (exit $status); the daemons' logs:"
    tail -n 12 "$cluster"/log/*.log 2>/dev/null || true
  fi
  # HIERAD_KEEP_TMP=1 keeps the runs, job logs and daemon logs for a look.
  if [[ -n ${HIERAD_KEEP_TMP:-} ]]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap finish EXIT
# A signal (ctest's timeout, Ctrl-C) ends the script through the EXIT trap: the daemons stop too.
trap 'exit 143' TERM HUP
trap 'exit 130' INT
slurm_cluster_start "$cluster"

fail() { echo "FAIL: $*" >&2; exit 1; }
submit=$repo/launch/slurm/submit_sweep.sh
# The template asks for 4 GPUs and 8 CPUs per task: the test cluster has neither. --time bounds
# a test that goes wrong (the template's 24 h would outlive CI).
one_rank=(--gpus-per-node=0 --nodes=1 --ntasks-per-node=1 --cpus-per-task=1 --time=10)
two_ranks=(--gpus-per-node=0 --nodes=2 --ntasks-per-node=1 --cpus-per-task=1 --time=10)
# Threads per rank as sweep.sbatch sets them (OMP_NUM_THREADS = SLURM_CPUS_PER_TASK), for the
# local reference runs too: the same ranks and threads give the same bits.
export OMP_NUM_THREADS=1

# "JOBID TASK STATE REASON" for every task of the job arrays given (one record per task once it
# has started; a pending rest of an array shows as one record, TASK "0-2%1").
tasks_of() {
  local job
  for job in "$@"; do
    scontrol show job -o "$job" |
      sed -n 's/^JobId=\([0-9]*\) .*ArrayTaskId=\([^ ]*\) .*JobState=\([^ ]*\) Reason=\([^ ]*\).*/\1 \2 \3 \4/p'
  done
}

# SLURM holds a requeued batch job back (BeginTime about two minutes ahead) so that its nodes can
# clean up; the test releases it as soon as they have: when no slurmstepd of the job's previous
# attempt is left (each has a socket <node>_<job>.<step> in its node's spool folder). Released
# earlier, the new attempt's first step can collide with the old one's (seen: "task 0 launch
# failed: Unspecified error", and the sweep counts a failure).
release_requeued() {  # release_requeued JOB...
  local id state reason
  while read -r id _ state reason; do
    [[ $state == PENDING && $reason == BeginTime ]] || continue
    compgen -G "$cluster/spool/*/*_$id.*" >/dev/null && continue
    scontrol update JobId="$id" StartTime=now
  done < <(tasks_of "$@")
  return 0
}

# Waits until no task of the arrays is pending, running or being requeued; at most $1 seconds.
wait_for_jobs() {  # wait_for_jobs SECONDS JOB...
  local seconds=$1
  shift
  for _ in $(seq $((seconds * 2))); do
    release_requeued "$@"
    tasks_of "$@" | awk '$3 ~ /^(PENDING|RUNNING|REQUEUED|COMPLETING|CONFIGURING|SUSPENDED|REQUEUE_HOLD|RESIZING)$/ {busy=1} END {exit !busy}' ||
      return 0
    sleep 0.5
  done
  tasks_of "$@"
  fail "jobs $* still not finished after $seconds s"
}

expect_states() {  # expect_states WHAT EXPECTED JOB...: EXPECTED = the sorted "TASK STATE" lines
  local what=$1 expected=$2
  shift 2
  local actual
  actual=$(tasks_of "$@" | awk '{print $2, $3}' | sort)
  [[ $actual == "$expected" ]] || { printf 'expected:\n%s\nactual:\n%s\n' "$expected" "$actual"; fail "$what"; }
}

# The step of a training run from its progress file (0 before the first logging window).
train_step() { sed -n 's/^step = //p' "$1/progress.toml" 2>/dev/null || echo 0; }

wait_for_step() {  # wait_for_step RUN_DIR STEP SECONDS
  for _ in $(seq $(($3 * 10))); do
    [[ $(train_step "$1") -ge $2 ]] && return 0
    sleep 0.1
  done
  fail "$1 did not reach step $2 in $3 s (at $(train_step "$1"))"
}

# The pids of the `hierad train` processes of one run (every rank on this host, not the srun that
# started them), by command line: the run directory is unique to this test.
train_pids() {  # train_pids RUN_DIR
  local p
  for p in /proc/[0-9]*; do
    [[ $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) == "$hierad train $1/config.toml "* ]] && echo "${p#/proc/}"
  done
  return 0
}

# The one run of slurm_long.toml under $1 (its id is the same everywhere).
long_run() { SWEEP_OUT=$1 "$hierad" sweep "$here/slurm_long.toml" --dry-run | awk '$1 == "0" {print $4}'; }

# A local reference: the experiment through launch/sweep on N ranks, into DIR.
local_sweep() {  # local_sweep EXP.toml RANKS DIR
  echo "== local reference: launch/sweep $(basename "$1") on $2 rank(s)" >&2
  SWEEP_OUT=$3 HIERAD=$hierad HIERAD_RANKS=$2 "$repo/launch/sweep" "$1" >"$3.log" 2>&1 ||
    { cat "$3.log"; fail "local sweep of $1"; }
}

# Every run under A equals the run of the same id under B: final checkpoint and scores, bit for
# bit. A fine-tuning run's id hashes the path of the checkpoint it starts from: the two sweeps
# must have used the same output folder (the first one moved away before the second).
compare_runs() {  # compare_runs A B
  local run id last count=0
  for run in "$1"/slurm-e2e/*/; do
    [[ -f $run/status.toml ]] || continue  # report/: the sweep's page, not a run
    run=${run%/}
    id=$(basename "$run")
    [[ -d $2/slurm-e2e/$id ]] || fail "$id is in $1 but not in $2"
    last=$(ls "$run"/checkpoints/ckpt-*.h5 | tail -n 1)
    "$compare_checkpoints" "$last" "$2/slurm-e2e/$id/checkpoints/$(basename "$last")" >/dev/null ||
      fail "$id: $(basename "$last") differs between $1 and $2"
    "$compare_scores" --other-checkpoint-file "$run/scores.h5" "$2/slurm-e2e/$id/scores.h5" >/dev/null ||
      fail "$id: scores.h5 differs between $1 and $2"
    count=$((count + 1))
  done
  [[ $count -gt 0 ]] || fail "no runs in $1"
  echo "   $count run(s) bit-identical (final checkpoint, scores): $1 = $2"
}

expect_grep() {  # expect_grep WHAT PATTERN FILE...
  local what=$1 pattern=$2
  shift 2
  grep -q -E -- "$pattern" "$@" || { tail -n 40 "$@"; fail "$what: no '$pattern' in $*"; }
}

long_reference() {  # long_reference RANKS: slurm_long.toml run locally once per rank count
  local dir=$tmp/local-long-$1
  [[ -d $dir ]] || local_sweep "$here/slurm_long.toml" "$1" "$dir"
  echo "$dir"
}

case_sweep() {
  echo "== srun across both nodes: which --mpi plugin starts hierad's OpenMPI ranks"
  srun --mpi=pmix --nodes=2 --ntasks=2 "$hierad" info >"$tmp/info.txt" 2>&1 || { cat "$tmp/info.txt"; fail "srun --mpi=pmix hierad info"; }
  cat "$tmp/info.txt"
  expect_grep "world of 2 over two nodes" '^  rank 0/2 \(node-local 0\) on ' "$tmp/info.txt"
  expect_grep "world of 2 over two nodes" '^  rank 1/2 \(node-local 0\) on ' "$tmp/info.txt"
  srun --mpi=pmix --nodes=1 --ntasks=2 --overcommit "$hierad" info >"$tmp/info1.txt" 2>&1 || { cat "$tmp/info1.txt"; fail "srun -N1 -n2"; }
  expect_grep "two ranks on one node" '^  rank 1/2 \(node-local 1\) on ' "$tmp/info1.txt"
  for plugin in pmi2 none; do  # recorded in launch/CLUSTER.md; not what sweep.sbatch uses
    if srun --mpi=$plugin --nodes=2 --ntasks=2 "$hierad" info >"$tmp/info-$plugin.txt" 2>&1; then
      echo "   --mpi=$plugin: works too"
    else
      echo "   --mpi=$plugin: fails: $(grep -m1 -E 'OPAL ERROR|error' "$tmp/info-$plugin.txt" || true)"
    fi
  done

  echo "== submit_sweep.sh slurm_sweep.toml: 2 levels, every step on 2 ranks"
  mkdir -p "$tmp/sweep" && cd "$tmp/sweep"
  local jobs
  mapfile -t jobs < <(SWEEP_OUT=$tmp/sweep-runs "$submit" "$here/slurm_sweep.toml" -- "${two_ranks[@]}")
  [[ ${#jobs[@]} -eq 2 ]] || fail "expected 2 job arrays, got ${jobs[*]}"
  expect_grep "level 1 waits for level 0" "Dependency=afterok:${jobs[0]}_\*" <(scontrol show job "${jobs[1]}")
  wait_for_jobs 600 "${jobs[@]}"
  expect_states "every task completed" $'0 COMPLETED\n0 COMPLETED\n1 COMPLETED\n2 COMPLETED' "${jobs[@]}"
  "$hierad" status "$tmp/sweep-runs/slurm-e2e" | tee "$tmp/sweep-status.txt"
  expect_grep "all done" "4 runs: 4 done" "$tmp/sweep-status.txt"
  # Both ranks of every train step: world 2, node-local rank 0 each (one rank per node).
  local run
  for run in "$tmp"/sweep-runs/slurm-e2e/*/; do
    [[ -f $run/status.toml ]] || continue
    expect_grep "2 ranks started by srun" \
      '2 rank\(s\), mpi backend, devices by rank \{0: cpu \(node-local 0\), 1: cpu \(node-local 0\)\}' "$run/log.txt"
  done
  [[ $(ls "$tmp"/sweep/hierad-slurm_sweep-L*.out | wc -l) -eq 4 ]] || fail "one log file per task expected"
  cd "$tmp"
  mv "$tmp/sweep-runs" "$tmp/sweep-runs.slurm"
  local_sweep "$here/slurm_sweep.toml" 2 "$tmp/sweep-runs"
  compare_runs "$tmp/sweep-runs.slurm" "$tmp/sweep-runs"
}

# Submits slurm_long.toml (runs into $tmp/NAME-runs, job logs into $tmp/NAME), waits until it
# trains past its first periodic checkpoint, runs INTERRUPT... with the task's id appended, and
# waits until the task has completed. Sets job, run (its run folder) and out (its job log).
interrupt_long_run() {  # interrupt_long_run NAME SBATCH_ARGS_ARRAY INTERRUPT...
  local name=$1
  local -n sbatch_args=$2
  shift 2
  mkdir -p "$tmp/$name" && cd "$tmp/$name"
  job=$(SWEEP_OUT=$tmp/$name-runs "$submit" "$here/slurm_long.toml" -- "${sbatch_args[@]}")
  run=$(long_run "$tmp/$name-runs")
  wait_for_step "$run" 60 120
  "$@" "${job}_0"
  wait_for_jobs 300 "$job"
  expect_states "the task finished after its requeue" "0 COMPLETED" "$job"
  out=$tmp/$name/hierad-slurm_long-L0-${job}_0.out
  cat "$out"
  cd "$tmp"
}

case_usr1() {
  echo "== pre-emption: scancel --signal=USR1 --batch while a 2-rank step trains"
  local job run out
  interrupt_long_run usr1 two_ranks scancel --signal=USR1 --batch
  expect_grep "the sweep stopped with 75 and the task requeued itself" "pre-empted; requeueing ${job}_0" "$out"
  expect_grep "--open-mode=append: the first attempt's log is kept" "\(restart 0\)" "$out"
  expect_grep "the second attempt" "\(restart 1\)" "$out"
  expect_grep "the training stopped after a checkpoint" "stopped by signal" "$run/log.txt"
  expect_grep "the second attempt resumed" "resuming from .* at step [1-9]" "$run/log.txt"
  [[ $(grep -c "ActNorm data init" "$run/log.txt") -eq 1 ]] || fail "trained from scratch twice"
  expect_grep "a pre-emption is not a failure" "^failures = 0$" "$run/status.toml"
  [[ $(scontrol show job "$job" | sed -n 's/.*Restarts=\([0-9]*\).*/\1/p') -eq 1 ]] || fail "expected 1 restart"
  compare_runs "$tmp/usr1-runs" "$(long_reference 2)"
}

case_requeue() {
  echo "== scontrol requeue from outside while training: SIGTERM, checkpoint, requeued by SLURM"
  local job run out
  interrupt_long_run requeue one_rank scontrol requeue
  expect_grep "the batch shell outlived SIGTERM" "SIGTERM; waiting for hierad sweep to stop" "$out"
  ! grep -q "pre-empted; requeueing" "$out" || fail "the batch script requeued a job SLURM requeues itself"
  expect_grep "the second attempt" "\(restart 1\)" "$out"
  expect_grep "the second attempt resumed" "resuming from .* at step [1-9]" "$run/log.txt"
  expect_grep "a requeue is not a failure" "^failures = 0$" "$run/status.toml"
  compare_runs "$tmp/requeue-runs" "$(long_reference 1)"
}

case_timelimit() {
  echo "== a rank killed without warning, then the time limit without warning"
  mkdir -p "$tmp/timelimit" && cd "$tmp/timelimit"
  local job run pids
  # --time=1: the shortest limit (SLURM checks limits every 30 s or so: the job ends 60-90 s in).
  # --signal=B:URG@1 replaces the template's USR1 warning with one bash ignores: no warning.
  job=$(SWEEP_OUT=$tmp/timelimit-runs "$submit" "$here/slurm_long.toml" -- "${one_rank[@]}" --time=1 --signal=B:URG@1)
  run=$(long_run "$tmp/timelimit-runs")
  wait_for_step "$run" 60 120
  # SIGKILL, as the kernel's OOM killer or a lost node would: no checkpoint at the stop. The sweep
  # counts a failure and retries the step, which resumes from the last periodic checkpoint.
  pids=$(train_pids "$run")
  [[ -n $pids ]] || fail "no hierad train process found for $run"
  kill -KILL $pids
  local killed_at resumed_at
  killed_at=$(train_step "$run")
  for _ in $(seq 600); do grep -q "resuming from" "$run/log.txt" && break; sleep 0.1; done
  resumed_at=$(sed -n 's/.*resuming from .* at step \([0-9]*\)$/\1/p' "$run/log.txt" | tail -n 1)
  echo "   killed at step $killed_at or later, resumed at step ${resumed_at:-?}"
  # slurm_long.toml: a checkpoint every 50 steps.
  [[ -n $resumed_at && $resumed_at -gt 0 && $((resumed_at % 50)) -eq 0 && $resumed_at -le $((killed_at + 1)) ]] ||
    fail "expected a resume from the last periodic checkpoint before step $killed_at"
  # Stopped (no CPU) until the time limit: SLURM sends SIGCONT, SIGTERM and, KillWait later, SIGKILL.
  wait_for_step "$run" $((resumed_at + 60)) 120
  pids=$(train_pids "$run")
  kill -STOP $pids
  wait_for_jobs 180 "$job"
  expect_states "killed at the time limit" "0 TIMEOUT" "$job"
  local out=$tmp/timelimit/hierad-slurm_long-L0-${job}_0.out
  expect_grep "SLURM ended the job at its time limit" "CANCELLED AT .* DUE TO TIME LIMIT" "$out"
  expect_grep "the batch shell outlived SIGTERM" "SIGTERM; waiting for hierad sweep to stop" "$out"
  ! grep -q "pre-empted; requeueing" "$out" || fail "requeued after a time limit (SIGTERM)"
  "$hierad" status "$tmp/timelimit-runs/slurm-e2e" | tee "$tmp/timelimit-status1.txt"
  ! grep -q " done " "$tmp/timelimit-status1.txt" || fail "the run cannot be done after a time limit"
  echo "== submitted again: the run resumes and finishes"
  local again
  again=$(SWEEP_OUT=$tmp/timelimit-runs "$submit" "$here/slurm_long.toml" -- "${one_rank[@]}")
  wait_for_jobs 300 "$again"
  expect_states "the resubmitted task completed" "0 COMPLETED" "$again"
  [[ $(grep -c "ActNorm data init" "$run/log.txt") -eq 1 ]] || fail "trained from scratch twice"
  # From the checkpoint written at the time limit's SIGTERM, after the SIGSTOP point.
  local last_resume
  last_resume=$(sed -n 's/.*resuming from .* at step \([0-9]*\)$/\1/p' "$run/log.txt" | tail -n 1)
  [[ $last_resume -ge $((resumed_at + 60)) ]] || fail "resumed at step $last_resume after the time limit"
  cd "$tmp"
  compare_runs "$tmp/timelimit-runs" "$(long_reference 1)"
}

case_failure() {
  echo "== --limit 1, a failed task: the next level does not start"
  mkdir -p "$tmp/failure" && cd "$tmp/failure"
  # slurm_sweep.toml with a second general model on data that does not exist.
  cat >"$tmp/failure.toml" <<EOF
inherit = "$here/slurm_sweep.toml"
[sweep.grid]
"stages.tune.train.lr" = [1e-3]
"stages.general.data.in_dist.path" = ["\${FASHION_MNIST}/train-images-idx3-ubyte.gz", "/nonexistent/images.gz"]
EOF
  local jobs
  mapfile -t jobs < <(SWEEP_OUT=$tmp/failure-runs "$submit" "$tmp/failure.toml" --limit 1 -- "${one_rank[@]}")
  [[ ${#jobs[@]} -eq 2 ]] || fail "expected 2 job arrays, got ${jobs[*]}"
  expect_grep "--limit 1 on the array" "ArrayTaskThrottle=1" <(scontrol show job "${jobs[0]}")
  wait_for_jobs 300 "${jobs[@]}"
  local states
  states=$(tasks_of "${jobs[@]}")
  echo "$states"
  # Level 0: one task completed, one failed; level 1: cancelled before it started.
  [[ $(tasks_of "${jobs[0]}" | awk '{print $3}' | sort | tr '\n' ' ') == "COMPLETED FAILED " ]] || fail "level 0: $states"
  tasks_of "${jobs[1]}" | awk '$3 != "CANCELLED" {bad=1} END {exit bad}' || fail "level 1 ran: $states"
  grep -q "DependencyNeverSatisfied\|Dependency" <<<"$(tasks_of "${jobs[1]}")" || fail "level 1 not cancelled for its dependency: $states"
  # %1: the two tasks of level 0 did not overlap in time.
  local times
  times=$(scontrol show job -o "${jobs[0]}" | sed -n 's/.*StartTime=\([^ ]*\) EndTime=\([^ ]*\).*/\1 \2/p' | sort)
  echo "$times"
  local first_end second_start
  first_end=$(date -d "$(sed -n '1s/.* //p' <<<"$times")" +%s)
  second_start=$(date -d "$(sed -n '2s/ .*//p' <<<"$times")" +%s)
  [[ $second_start -ge $first_end ]] || fail "--limit 1: the tasks of level 0 ran at the same time"
  "$hierad" status "$tmp/failure-runs/slurm-e2e" | tee "$tmp/failure-status.txt"
  expect_grep "status names the failed run and why" "general +failed .*\(train exited with 65\)" "$tmp/failure-status.txt"
  expect_grep "the run's log says what was missing" "/nonexistent/images.gz" "$tmp"/failure-runs/slurm-e2e/*/log.txt
  cd "$tmp"
}

for name in "${cases[@]}"; do
  declare -F "case_$name" >/dev/null || fail "no case '$name' (sweep usr1 requeue timelimit failure)"
  start=$SECONDS
  "case_$name"
  echo "== $name: passed in $((SECONDS - start)) s"
done
echo "slurm_end_to_end: all passed (${cases[*]}) in $SECONDS s"
