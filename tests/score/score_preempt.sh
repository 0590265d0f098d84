#!/usr/bin/env bash
# `hierad score` is pre-emptible (issue 13, part 5; Note [Pre-emptible scoring]): SIGUSR1 to mpirun
# (1 rank) or SIGTERM to one rank only (2 ranks: the other must stop after the same batch, or the
# job hangs) while the second of three sets is being scored. It must exit 75 with the finished set
# in <output>.partial and the unfinished one dropped; the same command then copies that set, scores
# only the two missing ones, and its file equals an uninterrupted run's value for value.
# Usage: score_preempt.sh HIERAD COMPARE_SCORE_FILES
set -euo pipefail
hierad=$1 compare=$2
source "$(dirname "$0")/../train/common.sh"
tmp=$(mktemp -d); trap 'pkill -KILL -f "^$hierad score $tmp/" 2>/dev/null || true; rm -rf "$tmp"' EXIT
make_experiment "$tmp/exp.toml" 8 3
# a_long is long enough (several seconds) for the signal to arrive while it is scored.
add_fmnist_set "$tmp/exp.toml" data.in_dist_test t10k 300
add_fmnist_set "$tmp/exp.toml" data.ood.a_long train 40000
add_fmnist_set "$tmp/exp.toml" data.ood.b_short t10k 100 5000
cat >>"$tmp/exp.toml" <<TOML

[score]
batch_size = 32
TOML
"$hierad" train "$tmp/exp.toml" --run-dir "$tmp/run" >"$tmp/train.log" 2>&1
score() { mpirun -np "$1" "$hierad" score "$tmp/exp.toml" --run-dir "$tmp/run" --output "$2"; }
sets_of() { /usr/bin/python3 -c 'import h5py,sys; print(" ".join(sorted(h5py.File(sys.argv[1],"r").keys())))' "$1"; }

echo "== uninterrupted, 1 rank"
score 1 "$tmp/straight.h5" >"$tmp/straight.log" 2>&1

# preempt RANKS TARGET SIGNAL
preempt() {
  local np=$1 target=$2 signal=$3 out=$tmp/stopped_np$1.h5
  echo "== $np rank(s): $signal to $target while a_long is scored, then the same command again"
  # mpirun itself in the background (not a function's subshell), so that $! is mpirun
  mpirun -np "$np" "$hierad" score "$tmp/exp.toml" --run-dir "$tmp/run" --output "$out" >"$tmp/stop_np$np.log" 2>&1 &
  local pid=$!
  for _ in $(seq 600); do grep -q "scored in_dist_test" "$tmp/stop_np$np.log" && break; sleep 0.05; done
  grep -q "scored in_dist_test" "$tmp/stop_np$np.log" || { echo "in_dist_test never finished"; cat "$tmp/stop_np$np.log"; exit 1; }
  if [[ $target == mpirun ]]; then kill -"$signal" $pid
  else kill -"$signal" "$(pgrep -f "^$hierad score $tmp/exp.toml --run-dir $tmp/run --output $out" | head -1)"; fi
  local status=0; wait $pid || status=$?
  [[ $status == 75 ]] || { echo "expected exit 75 after $signal, got $status"; cat "$tmp/stop_np$np.log"; exit 1; }
  grep -E "stopped by signal .* in set a_long after [0-9]+ batches" "$tmp/stop_np$np.log" | head -1
  [[ ! -e $out ]] || { echo "a complete file exists after the stop"; exit 1; }
  [[ $(sets_of "$out.partial") == "in_dist_test" ]] || { echo "partial holds: $(sets_of "$out.partial")"; exit 1; }
  [[ ! -e $out.tmp ]] || { echo "temporary left behind"; exit 1; }
  score "$np" "$out" >"$tmp/resume_np$np.log" 2>&1
  grep -q "kept in_dist_test" "$tmp/resume_np$np.log"
  ! grep -q "scored in_dist_test" "$tmp/resume_np$np.log"
  grep -q "scored a_long" "$tmp/resume_np$np.log"
  grep -q "scored b_short" "$tmp/resume_np$np.log"
  [[ ! -e $out.partial ]] || { echo "the partial file was not removed"; exit 1; }
  "$compare" "$tmp/straight.h5" "$out"
}
preempt 1 mpirun USR1
preempt 2 one-rank TERM
echo "PASS"
