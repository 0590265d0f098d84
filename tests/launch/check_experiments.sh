#!/usr/bin/env bash
# Every experiment file shipped in experiments/ must plan: `hierad sweep --dry-run` reads it with
# its inherit chain, stages and sweep, with each ${VAR} it uses set to a placeholder path.
# Usage: check_experiments.sh HIERAD REPO
set -euo pipefail
hierad=$1 repo=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export HIERAD_RUNS=$tmp/runs
for var in $(grep -ho '\${[A-Z_0-9]*' "$repo"/experiments/*/*.toml | sort -u | cut -c3-); do
  [[ $var == HIERAD_RUNS ]] || export "$var=/data/$var"
done
count=0
for file in "$repo"/experiments/*/*.toml; do
  out=$("$hierad" sweep "$file" --dry-run) || { echo "FAIL: $file"; exit 1; }
  head -1 <<<"$out"
  grep -q ': [1-9][0-9]* runs' <<<"$out" || { echo "FAIL: $file plans no run"; exit 1; }
  count=$((count + 1))
done
[[ ! -e $HIERAD_RUNS ]] || { echo "FAIL: --dry-run wrote $HIERAD_RUNS"; exit 1; }
echo "$count experiment files plan"
