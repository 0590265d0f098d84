#!/usr/bin/env bash
# Steps whose averaged gradients are not finite are skipped and counted, and every rank agrees:
# a learning rate of 1e6 blows the model up after step 1, so steps 2-12 are skipped; training still
# ends normally, the parameters and optimizer moments stay those of step 1, and 1 and 2 ranks
# report the same. Usage: train_skip_non_finite.sh HIERAD COMPARE_CHECKPOINTS
set -euo pipefail
hierad=$1 compare=$2
source "$(dirname "$0")/common.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for ranks in 1 2; do
  echo "== $ranks rank(s)"
  make_experiment "$tmp/exp$ranks.toml" $((4 / ranks)) 12
  sed -i 's/^lr = 1e-3/lr = 1e6/' "$tmp/exp$ranks.toml"
  run=$tmp/run$ranks
  mpirun -np $ranks "$hierad" train "$tmp/exp$ranks.toml" --run-dir "$run" 2>&1 | tee "$tmp/log$ranks.txt"
  grep -q "done: 12 steps, 11 skipped" "$tmp/log$ranks.txt"
  # Warnings come from every rank: each skipped the same 11 steps.
  [[ $(grep -c "skipped: non-finite gradients" "$tmp/log$ranks.txt") == $((11 * ranks)) ]]
  grep -q "^skipped_steps = 11$" "$run/progress.toml"
  # Nothing moved after step 1: the model and Adamax state of step 3 and step 12 are bit-identical.
  "$compare" "$run/checkpoints/ckpt-00000003.h5" "$run/checkpoints/ckpt-00000012.h5"
done
