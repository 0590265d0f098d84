#!/usr/bin/env bash
# Checks launch/slurm/submit_sweep.sh and launch/slurm/sweep.sbatch without SLURM: stub `sbatch`,
# `scontrol` and `hierad` executables (in a mktemp folder, first on PATH) record their arguments,
# and the test compares them with what the scripts must run. Exits non-zero on the first mismatch.
#
#   bash tests/launch/submit_sweep_test.sh
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
submit=$repo/launch/slurm/submit_sweep.sh
template=$repo/launch/slurm/sweep.sbatch
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
# expect_equal WHAT EXPECTED ACTUAL
expect_equal() {
  [[ "$2" == "$3" ]] && return 0
  echo "FAIL: $1" >&2
  diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") >&2 || true
  exit 1
}

# --- stubs -------------------------------------------------------------------------------------
mkdir -p "$tmp/bin" "$tmp/exp"
# Each stub appends "<name>" and then one argument per line to $tmp/calls.
cat >"$tmp/bin/sbatch" <<'EOF'
#!/usr/bin/env bash
{ echo "sbatch"; printf '  %s\n' "$@"; } >>"$STUB_DIR/calls"
n=$(($(cat "$STUB_DIR/next_job" 2>/dev/null || echo 1000) + 1))
echo "$n" >"$STUB_DIR/next_job"
echo "$n${STUB_CLUSTER:+;$STUB_CLUSTER}"
EOF
cat >"$tmp/bin/scontrol" <<'EOF'
#!/usr/bin/env bash
{ echo "scontrol"; printf '  %s\n' "$@"; } >>"$STUB_DIR/calls"
EOF
# hierad: `sweep EXP --levels` prints $STUB_LEVELS (or fails with STUB_LEVELS_FAIL); any other call
# records the environment the template must set, then exits with $STUB_SWEEP_STATUS, or with
# STUB_SWEEP_STATUS=wait waits (5 s at most) for SIGUSR1 and exits 75 as a pre-empted sweep does,
# or with STUB_SWEEP_STATUS=sleep / sleep75 exits 0 / 75 after a second.
cat >"$tmp/bin/hierad" <<'EOF'
#!/usr/bin/env bash
{ echo "hierad"; printf '  %s\n' "$@"; } >>"$STUB_DIR/calls"
if [[ " $* " == *" --levels "* ]]; then
  [[ -z ${STUB_LEVELS_FAIL:-} ]] || { echo "hierad: bad experiment" >&2; exit 1; }
  printf '%b' "$STUB_LEVELS"
  exit 0
fi
echo "  env OMP_NUM_THREADS=$OMP_NUM_THREADS HDF5_USE_FILE_LOCKING=$HDF5_USE_FILE_LOCKING" >>"$STUB_DIR/calls"
case ${STUB_SWEEP_STATUS:-0} in
  wait)
    trap 'echo "  got SIGUSR1" >>"$STUB_DIR/calls"; exit 75' USR1
    for _ in $(seq 100); do sleep 0.05; done
    exit 3 ;;
  sleep) sleep 1; exit 0 ;;
  sleep75) sleep 1; exit 75 ;;
  *) exit "$STUB_SWEEP_STATUS" ;;
esac
EOF
chmod +x "$tmp/bin/"*
touch "$tmp/exp/paper.toml"
export STUB_DIR=$tmp PATH="$tmp/bin:$PATH" HIERAD=$tmp/bin/hierad

reset_calls() { rm -f "$tmp/calls" "$tmp/next_job"; touch "$tmp/calls"; }

# --- syntax --------------------------------------------------------------------------------------
bash -n "$submit" || fail "bash -n $submit"
bash -n "$template" || fail "bash -n $template"
if command -v shellcheck >/dev/null; then
  shellcheck --severity=warning "$submit" "$template" || fail "shellcheck"
fi

# --- 1. three levels, no options: one array per level, chained with afterok ----------------------
reset_calls
out=$(cd "$tmp" && STUB_LEVELS='0 1\n1 6\n2 3\n' "$submit" exp/paper.toml 2>"$tmp/stderr")
expect_equal "job ids on stdout" $'1001\n1002\n1003' "$out"
export_value="ALL,EXPERIMENT=$tmp/exp/paper.toml,LEVEL"
expected="hierad
  sweep
  $tmp/exp/paper.toml
  --levels
sbatch
  --parsable
  --array=0-0
  --job-name=hierad-paper-L0
  --export=$export_value=0,HIERAD=$tmp/bin/hierad
  $template
sbatch
  --parsable
  --array=0-5
  --job-name=hierad-paper-L1
  --export=$export_value=1,HIERAD=$tmp/bin/hierad
  --dependency=afterok:1001
  --kill-on-invalid-dep=yes
  $template
sbatch
  --parsable
  --array=0-2
  --job-name=hierad-paper-L2
  --export=$export_value=2,HIERAD=$tmp/bin/hierad
  --dependency=afterok:1002
  --kill-on-invalid-dep=yes
  $template"
expect_equal "commands of a plain submission" "$expected" "$(cat "$tmp/calls")"
grep -q "level 1: 6 run(s) -> job array 1002" "$tmp/stderr" || fail "no summary on stderr: $(cat "$tmp/stderr")"

# --- 2. --limit, --after, extra sbatch args, an empty level, "jobid;cluster" replies --------------
reset_calls
out=$(STUB_CLUSTER=gpu STUB_LEVELS='0 2\n1 0\n2 4\n' \
  "$submit" "$tmp/exp/paper.toml" --limit 3 --after=777 -- --partition=h200 --time=2:00:00 2>/dev/null)
expect_equal "job ids with a skipped empty level" $'1001\n1002' "$out"
expected="hierad
  sweep
  $tmp/exp/paper.toml
  --levels
sbatch
  --parsable
  --array=0-1%3
  --job-name=hierad-paper-L0
  --export=$export_value=0,HIERAD=$tmp/bin/hierad
  --dependency=afterok:777
  --kill-on-invalid-dep=yes
  --partition=h200
  --time=2:00:00
  $template
sbatch
  --parsable
  --array=0-3%3
  --job-name=hierad-paper-L2
  --export=$export_value=2,HIERAD=$tmp/bin/hierad
  --dependency=afterok:1001
  --kill-on-invalid-dep=yes
  --partition=h200
  --time=2:00:00
  $template"
expect_equal "commands with --limit/--after/extra args" "$expected" "$(cat "$tmp/calls")"

# --- 3. errors: nothing is submitted ----------------------------------------------------------------
expect_failure() {  # expect_failure WHAT EXPECTED_STATUS COMMAND...
  local what=$1 want=$2 status=0
  shift 2
  reset_calls
  "$@" >/dev/null 2>&1 || status=$?
  [[ $status -eq $want ]] || fail "$what: exit status $status, expected $want"
  ! grep -q '^sbatch$' "$tmp/calls" || fail "$what: sbatch was called"
}
expect_failure "hierad sweep --levels fails" 1 env STUB_LEVELS_FAIL=1 "$submit" "$tmp/exp/paper.toml"
expect_failure "garbage from --levels" 1 env STUB_LEVELS='hello world\n' "$submit" "$tmp/exp/paper.toml"
expect_failure "no runs" 1 env STUB_LEVELS='' "$submit" "$tmp/exp/paper.toml"
expect_failure "unknown option" 2 "$submit" "$tmp/exp/paper.toml" --limt 3
expect_failure "no experiment" 2 "$submit"
expect_failure "bad --limit" 1 env STUB_LEVELS='0 1\n' "$submit" "$tmp/exp/paper.toml" --limit 0
expect_failure "missing file" 1 "$submit" "$tmp/exp/missing.toml"
expect_failure "missing binary" 1 env HIERAD="$tmp/bin/nothing" "$submit" "$tmp/exp/paper.toml"
mkdir -p "$tmp/a,b" && touch "$tmp/a,b/x.toml"
expect_failure "comma in a path" 1 env STUB_LEVELS='0 1\n' "$submit" "$tmp/a,b/x.toml"

# --- 4. the batch template: launcher, environment, exit 75 -> requeue + 0 ----------------------------
run_template() {  # run_template SWEEP_STATUS [SIGNAL]: runs the template as SLURM would, prints its status
  local status=0 pid
  reset_calls
  env -u OMP_NUM_THREADS EXPERIMENT="$tmp/exp/paper.toml" LEVEL=1 HIERAD="$tmp/bin/hierad" \
    SLURM_ARRAY_JOB_ID=500 SLURM_ARRAY_TASK_ID=3 SLURM_CPUS_PER_TASK=8 STUB_SWEEP_STATUS="$1" \
    bash "$template" >/dev/null 2>&1 &
  pid=$!
  if [[ $# -ge 2 ]]; then
    # Signal the batch shell alone (as --signal=B: does) once the sweep stub has started.
    for _ in $(seq 100); do grep -q '^  env ' "$tmp/calls" && break; sleep 0.05; done
    kill "-$2" "$pid"
  fi
  wait "$pid" || status=$?
  echo "$status"
}
expected_sweep="hierad
  sweep
  $tmp/exp/paper.toml
  --level
  1
  --task
  3
  --launcher
  srun --kill-on-bad-exit=1 --cpus-per-task=8 --cpu-bind=cores 
  env OMP_NUM_THREADS=8 HDF5_USE_FILE_LOCKING=FALSE"
expect_equal "template exit status when the sweep is done" 0 "$(run_template 0)"
expect_equal "template commands when done" "$expected_sweep" "$(cat "$tmp/calls")"
expect_equal "template exit status when pre-empted" 0 "$(run_template 75)"
expect_equal "template commands when pre-empted" "$expected_sweep
scontrol
  requeue
  500_3" "$(cat "$tmp/calls")"
expect_equal "template exit status on failures" 1 "$(run_template 1)"
expect_equal "template commands on failures (no requeue)" "$expected_sweep" "$(cat "$tmp/calls")"
# The time-limit warning (SIGUSR1 to the batch shell) reaches the sweep, which stops with 75: requeue.
expect_equal "template exit status after SIGUSR1" 0 "$(run_template wait USR1)"
expect_equal "template forwards SIGUSR1 and requeues" "$expected_sweep
  got SIGUSR1
scontrol
  requeue
  500_3" "$(cat "$tmp/calls")"
# SIGTERM (pre-emption) reaches every process; the batch shell must outlive the sweep.
expect_equal "template exit status after SIGTERM" 0 "$(run_template sleep TERM)"
expect_equal "template survives SIGTERM" "$expected_sweep" "$(cat "$tmp/calls")"
# After SIGTERM (pre-emption or scancel) a pre-empted sweep is not requeued by the script: SLURM
# requeues pre-empted jobs itself, and a cancelled job must stay cancelled.
expect_equal "template exit status after SIGTERM and a pre-empted sweep" 75 "$(run_template sleep75 TERM)"
expect_equal "template does not requeue after SIGTERM" "$expected_sweep" "$(cat "$tmp/calls")"

echo "submit_sweep_test: all checks passed"
