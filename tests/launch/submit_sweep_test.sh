#!/usr/bin/env bash
# Checks what launch/slurm/submit_sweep.sh passes to sbatch, and its refusals, without SLURM: stub
# `sbatch` and `hierad` executables (in a mktemp folder, first on PATH) record their arguments, and
# the test compares them with what the script must run. Exits non-zero on the first mismatch.
# What a real SLURM does with them (afterok chains, --limit, requeue, signals to sweep.sbatch) is
# slurm_end_to_end.sh's part: this covers the cases it does not (--after, "jobid;cluster" replies,
# empty levels, bad arguments).
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
# hierad: `sweep EXP --levels` prints $STUB_LEVELS (or fails with STUB_LEVELS_FAIL).
cat >"$tmp/bin/hierad" <<'EOF'
#!/usr/bin/env bash
{ echo "hierad"; printf '  %s\n' "$@"; } >>"$STUB_DIR/calls"
[[ " $* " == *" --levels "* ]] || { echo "stub hierad: only --levels" >&2; exit 3; }
[[ -z ${STUB_LEVELS_FAIL:-} ]] || { echo "hierad: bad experiment" >&2; exit 1; }
printf '%b' "$STUB_LEVELS"
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

export_value="ALL,EXPERIMENT=$tmp/exp/paper.toml,LEVEL"

# --- 1. --limit, --after, extra sbatch args, an empty level, "jobid;cluster" replies --------------
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

# --- 2. errors: nothing is submitted ----------------------------------------------------------------
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

echo "submit_sweep_test: all checks passed"
