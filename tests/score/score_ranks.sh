#!/usr/bin/env bash
# `hierad score` on 1, 2 and 3 ranks writes the same score file, example by example: a tiny model
# trained for 3 steps scores 300 Fashion-MNIST test images and 200 training images (as an "OOD"
# set), and every per-example, per-scale value must match bit for bit.
set -euo pipefail
hierad=$1 compare=$2
source "$(dirname "$0")/../train/common.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
make_experiment "$tmp/exp.toml" 8 3
add_fmnist_set "$tmp/exp.toml" data.in_dist_test t10k 300
add_fmnist_set "$tmp/exp.toml" data.ood.train_images train 200 1000
cat >>"$tmp/exp.toml" <<TOML

[score]
batch_size = 64
TOML
"$hierad" train "$tmp/exp.toml" --run-dir "$tmp/run"
for np in 1 2 3; do
  mpirun -np $np "$hierad" score "$tmp/exp.toml" --run-dir "$tmp/run" --output "$tmp/scores_np$np.h5"
done
"$compare" "$tmp/scores_np1.h5" "$tmp/scores_np2.h5"
"$compare" "$tmp/scores_np1.h5" "$tmp/scores_np3.h5"
