#!/usr/bin/env bash
# hierad sweep survives pre-emption: a sweep of 4 runs (2 ranks each, through mpirun) stopped by
# SIGTERM part-way and started again ends with exactly 4 finished runs, none trained twice from
# scratch, every checkpoint and score file bit-identical to an uninterrupted sweep.
# Usage: sweep_resume.sh HIERAD COMPARE_CHECKPOINTS COMPARE_SCORE_FILES
set -euo pipefail
hierad=$1 compare_checkpoints=$2 compare_scores=$3
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d); trap 'pkill -KILL -f "$tmp/" 2>/dev/null || true; rm -rf "$tmp"' EXIT
source "$here/../common/test_env.sh"
sweep() { SWEEP_OUT=$1 "$hierad" sweep "$here/tiny_sweep.toml" --launcher "mpirun -np 2" "${@:2}"; }

echo "== dry run: 4 runs, all pending"
sweep "$tmp/straight" --dry-run | tee "$tmp/plan.txt"
[[ $(grep -c " pending " "$tmp/plan.txt") == 4 ]]

echo "== uninterrupted sweep"
sweep "$tmp/straight"

echo "== the same sweep, SIGTERM to the sweep while its second run trains"
SWEEP_OUT=$tmp/stopped "$hierad" sweep "$here/tiny_sweep.toml" --launcher "mpirun -np 2" >"$tmp/first.txt" 2>&1 &
pid=$!  # the sweep process itself (not a subshell): the signal goes to it alone
# The second run in plan order: wait until it has logged step 6 (it checkpointed at step 4).
second=$(SWEEP_OUT=$tmp/stopped "$hierad" sweep "$here/tiny_sweep.toml" --dry-run | awk '$1 == "1" {print $4}')
for _ in $(seq 1200); do
  step=$(sed -n 's/^step = //p' "$second/progress.toml" 2>/dev/null || true)
  [[ -n $step && $step -ge 6 ]] && break
  kill -0 $pid 2>/dev/null || { cat "$tmp/first.txt"; echo "the sweep ended before the signal"; exit 1; }
  sleep 0.1
done
kill -TERM $pid
status=0; wait $pid || status=$?
cat "$tmp/first.txt"
[[ $status == 75 ]] || { echo "expected exit code 75, got $status"; exit 1; }
"$hierad" status "$tmp/stopped/tiny-sweep" | tee "$tmp/status1.txt"
grep -q "4 runs: 1 done, 2 pending, 1 preempted" "$tmp/status1.txt"

echo "== started again: the finished run is skipped, the stopped one resumes"
sweep "$tmp/stopped" | tee "$tmp/second.txt"
[[ $(grep -c "done, skipped" "$tmp/second.txt") == 1 ]]
"$hierad" status "$tmp/stopped/tiny-sweep" | tee "$tmp/status2.txt"
grep -q "4 runs: 4 done" "$tmp/status2.txt"
[[ $(ls -d "$tmp/stopped/tiny-sweep"/*/status.toml | wc -l) == 4 ]]   # report/ beside them is the page
[[ -s $tmp/stopped/tiny-sweep/report/index.html ]]

echo "== nothing trained twice from scratch; results identical"
for run in "$tmp/straight/tiny-sweep"/*; do
  [[ -f $run/status.toml ]] || continue   # report/: the sweep's page, not a run
  id=$(basename "$run")
  other=$tmp/stopped/tiny-sweep/$id
  [[ $(grep -c "ActNorm data init" "$other/log.txt") == 1 ]] || { echo "$id started from scratch twice"; exit 1; }
  "$compare_checkpoints" "$run/checkpoints/ckpt-00000024.h5" "$other/checkpoints/ckpt-00000024.h5"
  "$compare_scores" --other-checkpoint-file "$run/scores.h5" "$other/scores.h5"
done
grep -q "resuming from .* at step [1-9]" "$second/log.txt"

echo "== a third call does nothing"
sweep "$tmp/stopped" | tee "$tmp/third.txt"
[[ $(grep -c "done, skipped" "$tmp/third.txt") == 4 ]]
