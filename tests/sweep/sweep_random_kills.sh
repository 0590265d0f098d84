#!/usr/bin/env bash
# Random kills, nothing lost and nothing done twice: a staged sweep (kill_sweep.toml: a general
# model, then three fine-tunings of it; train + score each, 2 ranks through mpirun) is kill -9'd at
# KILLS seeded random moments, each time hitting one of: a rank (`hierad train`/`hierad score`),
# the whole mpirun, or the sweep process itself (whose orphaned mpirun then finishes or dies on
# its own, holding the run's lock meanwhile). After every kill, once nothing of the sweep runs any
# more, `hierad status` must be consistent with the files (no run `running`, a `done` run has its
# final checkpoint and score file). The sweep is started again until it finishes. At the end:
#   - every final checkpoint and score file bit-identical to an uninterrupted sweep's;
#   - no run initialised twice: an attempt that starts after a checkpoint of that run was
#     completed must resume (or fine-tune from the general model only when it has none);
#   - no temporary or partial file left anywhere.
# Every kill is recorded (moment, target, what it hit) in KILLS_LOG (default: printed).
#
# Usage: sweep_random_kills.sh HIERAD COMPARE_CHECKPOINTS COMPARE_SCORE_FILES [KILLS [SEED]]
set -euo pipefail
hierad=$1 compare_checkpoints=$2 compare_scores=$3 kills=${4:-3} seed=${5:-1}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
cleanup() {
  pkill -KILL -f "$tmp/" 2>/dev/null || true
  [[ -n ${KILLS_LOG:-} && -f $tmp/killed.txt ]] && cp "$tmp/killed.txt" "$KILLS_LOG.sweeps.txt"
  rm -rf "$tmp"
}
trap cleanup EXIT
source "$here/../common/test_env.sh"
experiment=$here/kill_sweep.toml
log=${KILLS_LOG:-$tmp/kills.txt}
: >"$log"
RANDOM=$seed
sweep() { SWEEP_OUT=$1 "$hierad" sweep "$experiment" --launcher "mpirun -np 2" --retries 1000 "${@:2}"; }
# In the background, as the hierad process itself (exec): $! is then the sweep, not a subshell.
sweep_in_background() { (SWEEP_OUT=$1 exec "$hierad" sweep "$experiment" --launcher "mpirun -np 2" --retries 1000) >>"$2" 2>&1 & }
# Uniform in [lo, hi) seconds, from bash's seeded generator.
random_seconds() { awk -v r=$RANDOM -v lo="$1" -v hi="$2" 'BEGIN { printf "%.2f", lo + (hi - lo) * r / 32768 }'; }
# Waits until no process of this test's sweep tree is left (an orphaned mpirun may finish its run).
wait_quiet() {
  for _ in $(seq 600); do
    pgrep -f "$tmp/killed" >/dev/null || return 0
    sleep 0.1
  done
  echo "processes still running 60 s after a kill:"; pgrep -af "$tmp/killed"; return 1
}
# hierad status agrees with the files: nothing is running, and a done run has its results.
check_status() {
  "$hierad" status "$tmp/killed/kill-sweep" >"$tmp/status.txt" 2>&1 || { cat "$tmp/status.txt"; return 1; }
  if grep -qw running "$tmp/status.txt"; then echo "status says running with no process left:"; cat "$tmp/status.txt"; return 1; fi
  local run
  for run in "$tmp/killed/kill-sweep"/*/; do
    if grep -q '^state = "done"' "$run/status.toml" 2>/dev/null; then
      ls "$run"/checkpoints/ckpt-*.h5 >/dev/null && [[ -f "$run/scores.h5" ]] ||
        { echo "$run: done without its results"; return 1; }
    fi
  done
}

# Both sweeps run in the same folder (a fine-tuning's run id includes its general model's path),
# the uninterrupted one moved away when it is done.
echo "== uninterrupted sweep"
sweep "$tmp/killed" >"$tmp/straight.txt" 2>&1 || { cat "$tmp/straight.txt"; exit 1; }
mv "$tmp/killed" "$tmp/straight"

echo "== $kills kills (seed $seed)"
mkdir -p "$tmp/killed"
pid=
for ((k = 1; k <= kills; k++)); do
  if [[ -z $pid ]] || ! kill -0 "$pid" 2>/dev/null; then
    wait_quiet
    if [[ -n $pid ]] && grep -q "runs: 4 done" <("$hierad" status "$tmp/killed/kill-sweep"); then
      "$hierad" status "$tmp/killed/kill-sweep"
      echo "the sweep finished after $((k - 1)) kills: make kill_sweep.toml's runs longer"; exit 1
    fi
    sweep_in_background "$tmp/killed" "$tmp/killed.txt"
    pid=$!
    started=$SECONDS
  fi
  delay=$(random_seconds 0.3 3)
  sleep "$delay"
  case $((RANDOM % 3)) in
    0) target=rank;   victims=$(pgrep -f "^[^ ]*hierad (train|score) $tmp/killed" || true) ;;
    1) target=mpirun; victims=$(pgrep -f "^mpirun -np 2 .*$tmp/killed" || true) ;;
    2) target=sweep;  victims=$pid ;;
  esac
  # What was running: the step, the run and (training) its last logged step.
  doing=$(pgrep -af "^[^ ]*hierad (train|score) $tmp/killed" | head -1 | awk '{print $3, $4}' || true)
  if [[ -n $doing ]]; then
    run_dir=$(dirname "${doing#* }")
    doing="${doing%% *} of run $(basename "$run_dir") (step $(sed -n 's/^step = //p' "$run_dir/progress.toml" 2>/dev/null || echo 0))"
  fi
  if [[ -z $victims ]] || ! kill -0 $victims 2>/dev/null; then
    target="sweep (no $target running)"; victims=$pid
  fi
  victim=$(echo $victims | tr ' ' '\n' | sed -n "$((RANDOM % $(echo $victims | wc -w) + 1))p")
  kill -KILL "$victim" 2>/dev/null || true
  printf 'kill %d: %s s after the sweep started, %s (pid %s) while %s\n' "$k" "$((SECONDS - started))" \
    "$target" "$victim" "${doing:-nothing ran (between steps)}" | tee -a "$log"
  # The sweep either lives on (a rank or mpirun died: it records the failure and retries) or died
  # (reaped here at once: kill -0 would still find its zombie).
  if [[ $victim == "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null || true
    wait_quiet
    check_status
  fi
done
echo "== started again until it finishes"
wait "$pid" 2>/dev/null || true
for attempt in $(seq 10); do
  wait_quiet
  if sweep "$tmp/killed" >>"$tmp/killed.txt" 2>&1; then break; fi
  ((attempt < 10)) || { tail -40 "$tmp/killed.txt"; echo "the sweep did not finish"; exit 1; }
done
check_status
"$hierad" status "$tmp/killed/kill-sweep" | tee "$tmp/final_status.txt"
grep -q "4 runs: 4 done" "$tmp/final_status.txt"

echo "== results identical, nothing initialised twice, nothing left over"
for run in "$tmp/straight/kill-sweep"/*; do
  [[ -f $run/status.toml ]] || continue   # report/: the sweep's page, not a run
  id=$(basename "$run")
  other=$tmp/killed/kill-sweep/$id
  last=$(ls "$run/checkpoints" | tail -1)
  "$compare_checkpoints" "$run/checkpoints/$last" "$other/checkpoints/$last"
  "$compare_scores" --other-checkpoint-file "$run/scores.h5" "$other/scores.h5"
  # Per training attempt (log sections "== hierad sweep ...: train"): once a checkpoint of this run
  # was written, later attempts must resume from one.
  awk -v id="$id" '
    /^== hierad sweep .*: train$/ { attempt++; began = 1; next }
    began && /ActNorm data init|fine-tuning from/ { if (checkpointed) { print id ": attempt " attempt " started over after a checkpoint"; bad = 1 } began = 0 }
    began && /resuming from/ { began = 0 }
    /\[info\] checkpoint / { checkpointed = 1 }
    END { exit bad }' "$other/log.txt"
done
leftovers=$(find "$tmp/killed" -name '*.tmp*' -o -name '*.partial*')
[[ -z $leftovers ]] || { echo "left behind:"; echo "$leftovers"; exit 1; }
echo "kills survived: $kills; $(grep -c '' "$log") recorded; 4 runs, 8 files compared bit for bit"
cat "$log"
