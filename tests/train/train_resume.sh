#!/usr/bin/env bash
# Exact resume on the CPU: runs stopped by SIGUSR1 or SIGTERM, one killed with -9 after a
# checkpoint, and one whose newest checkpoint is corrupt all end bit-identical to the uninterrupted
# run. Usage: train_resume.sh HIERAD COMPARE_CHECKPOINTS RANKS
set -euo pipefail
hierad=$1 compare=$2 ranks=${3:-1}
source "$(dirname "$0")/common.sh"
tmp=$(mktemp -d); trap 'pkill -KILL -f "hierad train $tmp/" 2>/dev/null || true; rm -rf "$tmp"' EXIT
steps=12
make_experiment "$tmp/exp.toml" 4 $steps
run() { mpirun -np "$ranks" "$hierad" train "$tmp/exp.toml" --run-dir "$@"; }
# start DIR: the same in the background; $pid is mpirun's.
start() { mpirun -np "$ranks" "$hierad" train "$tmp/exp.toml" --run-dir "$1" & pid=$!; }
final=checkpoints/ckpt-$(printf %08d $steps).h5

echo "== --resume without a checkpoint is an error"
if run "$tmp/none" --resume 2>"$tmp/err.txt"; then echo "--resume started afresh"; exit 1; fi
grep -q -- "--resume given, but there is no valid checkpoint" "$tmp/err.txt"

echo "== uninterrupted"
run "$tmp/straight"

# wait_for FILE: until it exists (a checkpoint appears only by its atomic rename).
wait_for() { for _ in $(seq 600); do [[ -e $1 ]] && return 0; sleep 0.1; done; echo "timeout: $1"; return 1; }

# stop_and_resume DIR SIGNAL TARGET: start the run, signal it after its first checkpoint, expect the
# pre-emption exit code, resume, compare. TARGET "mpirun" signals the launcher (Open MPI forwards
# SIGUSR1 to every rank, as SLURM's --signal=USR1@T pre-emption warning arrives), "ranks" signals
# every rank directly (as SLURM and the kernel's OOM/timeout paths do with SIGTERM).
stop_and_resume() {
  local dir=$1 signal=$2 target=$3
  echo "== $signal to $target after the first checkpoint, then resume"
  start "$dir"
  wait_for "$dir/checkpoints/ckpt-00000003.h5"
  if [[ $target == mpirun ]]; then kill -"$signal" $pid; else pkill -"$signal" -f "^$hierad train $tmp/exp.toml --run-dir $dir"; fi
  local status=0; wait $pid || status=$?
  [[ $status == 75 ]] || { echo "expected exit code 75 after $signal, got $status"; exit 1; }
  ls "$dir/checkpoints"
  run "$dir" --resume
  "$compare" "$tmp/straight/$final" "$dir/$final"
}
stop_and_resume "$tmp/usr1" USR1 mpirun
stop_and_resume "$tmp/term" TERM ranks

echo "== kill -9 after a checkpoint, then resume"
start "$tmp/kill"
wait_for "$tmp/kill/checkpoints/ckpt-00000006.h5"
pkill -KILL -f "^$hierad train $tmp/exp.toml --run-dir $tmp/kill"; wait $pid || true
run "$tmp/kill"
"$compare" "$tmp/straight/$final" "$tmp/kill/$final"

echo "== corrupt newest checkpoint: the previous one is used"
cp -r "$tmp/straight" "$tmp/corrupt"
rm "$tmp/corrupt/$final"
newest=$(ls "$tmp/corrupt/checkpoints"/ckpt-*.h5 | tail -1)
truncate -s 5000 "$newest"
run "$tmp/corrupt" 2>&1 | tee "$tmp/corrupt.log"
grep -q "passing over checkpoint .*$(basename "$newest")" "$tmp/corrupt.log"
"$compare" "$tmp/straight/$final" "$tmp/corrupt/$final"
