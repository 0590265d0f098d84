#!/usr/bin/env bash
# A stage that aggregates every sweep point ("all:<stage>" in analysis.runs) runs once, after the
# runs it reads, and reports each metric as mean and spread over them; --follow shows the steps'
# output. Usage: sweep_aggregate.sh HIERAD
set -euo pipefail
hierad=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
source "$here/../common/test_env.sh"
export SWEEP_OUT=$tmp/runs
"$hierad" sweep "$here/tiny_aggregate.toml" --follow | tee "$tmp/out.txt"
grep -q "^\[3/3\] seeds .*(all points)" "$tmp/out.txt"
# --follow: the steps' own output reaches the terminal as well as each run's log.txt.
[[ $(grep -c "ActNorm data init" "$tmp/out.txt") == 2 ]]
report=$(dirname "$(grep -l '^stage = "seeds"' "$SWEEP_OUT"/tiny-sweep/*/status.toml)")/report
cat "$report/metrics_paper_auroc.md"
grep -q "mean ± sample std over 2 run(s)" "$report/metrics_paper_auroc.md"
grep -q "in_dist_test / held_out" "$report/metrics_paper_auroc.md"
