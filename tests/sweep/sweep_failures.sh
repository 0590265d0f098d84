#!/usr/bin/env bash
# A run that fails is retried --retries times and then left alone (its failures counted in
# status.toml across calls), the other runs of the sweep still finish, and the sweep's exit code
# says that not everything is done. Usage: sweep_failures.sh HIERAD
set -euo pipefail
hierad=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
source "$here/../common/test_env.sh"
export SWEEP_OUT=$tmp/runs
# The tiny sweep with one grid axis more: a second training set that does not exist.
cat "$here/tiny_sweep.toml" - >"$tmp/exp.toml" <<'TOML'
"data.in_dist.path" = ["${FASHION_MNIST}/train-images-idx3-ubyte.gz", "/nonexistent/images.gz"]
"train.steps" = [4]
TOML
sed -i 's/^"train.seed" = \[1, 2\]/"train.seed" = [1]/; s/^"train.lr" = .*/"train.lr" = [1e-3]/' "$tmp/exp.toml"

status=0; "$hierad" sweep "$tmp/exp.toml" --retries 1 >"$tmp/out.txt" 2>&1 || status=$?
cat "$tmp/out.txt"
[[ $status == 1 ]] || { echo "expected exit code 1, got $status"; exit 1; }
[[ $(grep -c "train ... failed: train exited with 1" "$tmp/out.txt") == 2 ]]
grep -q "retrying (attempt 2 of 2)" "$tmp/out.txt"
grep -q "/nonexistent/images.gz" "$tmp/out.txt"   # the end of the failed run's log is shown
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
