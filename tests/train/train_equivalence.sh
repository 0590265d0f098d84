#!/usr/bin/env bash
# Data-parallel equivalence: 1 rank with batch 8 and 2 ranks with 4 each see the same global
# batches, so after 5 steps their parameters (and optimizer state) agree to 1e-5 relative.
set -euo pipefail
hierad=$1 compare=$2
source "$(dirname "$0")/common.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
make_experiment "$tmp/one.toml" 8 5
make_experiment "$tmp/two.toml" 4 5
"$hierad" train "$tmp/one.toml" --run-dir "$tmp/one"
mpirun -np 2 "$hierad" train "$tmp/two.toml" --run-dir "$tmp/two"
"$compare" "$tmp/one/checkpoints/ckpt-00000005.h5" "$tmp/two/checkpoints/ckpt-00000005.h5" 1e-5
