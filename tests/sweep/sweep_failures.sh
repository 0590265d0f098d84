#!/usr/bin/env bash
# A run that fails is retried --retries times and then left alone (its failures counted in
# status.toml across calls), the other runs of the sweep still finish, and the sweep's exit code
# says that not everything is done. A run that fails on bad input data (exit 65) is not retried at
# all, in that call or the next. Usage: sweep_failures.sh HIERAD
set -euo pipefail
hierad=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
source "$here/../common/test_env.sh"
export SWEEP_OUT=$tmp/runs
# The tiny sweep at one seed and one learning rate, with the grid axes read from stdin added.
one_point_sweep() {
  cat "$here/tiny_sweep.toml" - >"$1"
  sed -i 's/^"train.seed" = \[1, 2\]/"train.seed" = [1]/; s/^"train.lr" = .*/"train.lr" = [1e-3]/' "$1"
}
# The tiny sweep with one grid axis more: a second run fine-tuned from a model that does not exist
# (exit 1, which a retry could cure: the run it names may not have been written yet).
one_point_sweep "$tmp/exp.toml" <<'TOML'
"train.init_from" = ["", "/nonexistent/general-run"]
"train.steps" = [4]
TOML

status=0; "$hierad" sweep "$tmp/exp.toml" --retries 1 >"$tmp/out.txt" 2>&1 || status=$?
cat "$tmp/out.txt"
[[ $status == 1 ]] || { echo "expected exit code 1, got $status"; exit 1; }
[[ $(grep -c "train ... failed: train exited with 1" "$tmp/out.txt") == 2 ]]
grep -q "retrying (attempt 2 of 2)" "$tmp/out.txt"
grep -q "/nonexistent/general-run" "$tmp/out.txt"   # the end of the failed run's log is shown
"$hierad" status "$SWEEP_OUT" | tee "$tmp/status.txt"
grep -q "2 runs: 1 done, 1 failed" "$tmp/status.txt"
grep -q "failed .* 2 (train exited with 1)" "$tmp/status.txt"

echo "== called again: the failed run is not retried"
status=0; "$hierad" sweep "$tmp/exp.toml" --retries 1 >"$tmp/again.txt" 2>&1 || status=$?
cat "$tmp/again.txt"
[[ $status == 1 ]]
grep -q "failed 2 times (train exited with 1); not retried" "$tmp/again.txt"
grep -q "done, skipped" "$tmp/again.txt"

echo "== --retry-failed starts the count afresh"
status=0; "$hierad" sweep "$tmp/exp.toml" --retries 0 --retry-failed >"$tmp/fresh.txt" 2>&1 || status=$?
[[ $status == 1 && $(grep -c "failed: train exited with 1" "$tmp/fresh.txt") == 1 ]]

echo "== bad input data (exit 65) is not retried"
export SWEEP_OUT=$tmp/runs-data
one_point_sweep "$tmp/data.toml" <<'TOML'
"data.in_dist.path" = ["${FASHION_MNIST}/train-images-idx3-ubyte.gz", "/nonexistent/images.gz"]
"train.steps" = [4]
TOML
status=0; "$hierad" sweep "$tmp/data.toml" --retries 2 >"$tmp/data.txt" 2>&1 || status=$?
cat "$tmp/data.txt"
[[ $status == 1 ]] || { echo "expected exit code 1, got $status"; exit 1; }
[[ $(grep -c "train ... failed: train exited with 65" "$tmp/data.txt") == 1 ]]
grep -q "not retried: bad input or configuration (exit 65)" "$tmp/data.txt"
! grep -q "retrying" "$tmp/data.txt"
grep -q "/nonexistent/images.gz" "$tmp/data.txt"
status=0; "$hierad" sweep "$tmp/data.toml" --retries 2 >"$tmp/data-again.txt" 2>&1 || status=$?
cat "$tmp/data-again.txt"
[[ $status == 1 ]]
grep -q "failed on bad input or configuration (train exited with 65); not retried" "$tmp/data-again.txt"
! grep -q "train \.\.\." "$tmp/data-again.txt"
echo "== --retry-failed runs it once more"
status=0; "$hierad" sweep "$tmp/data.toml" --retries 2 --retry-failed >"$tmp/data-fresh.txt" 2>&1 || status=$?
[[ $status == 1 && $(grep -c "failed: train exited with 65" "$tmp/data-fresh.txt") == 1 ]]
echo "sweep failure cases pass"
