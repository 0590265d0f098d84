#!/usr/bin/env bash
# Training throughput of 1 and 2 ranks at the same global batch, and the share of each step spent
# waiting for gradient communication (what backward did not hide), from hierad's own metrics log.
#
#   tests/bench/bench_train.sh [BUILD_DIR] [STEPS]
#
# Model and data: the demo's general stage (a 67,504-parameter grey Glow on natural patches; run
# launch/make_demo_data.py first, or launch/demo, which makes runs/demo-data). Global batch 64.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$repo/build}
steps=${2:-100}
export DEMO_DATA=$repo/runs/demo-data
[[ -f $DEMO_DATA/natural_patches.h5 ]] || /usr/bin/python3 "$repo/launch/make_demo_data.py" "$DEMO_DATA"
export FASHION_MNIST=$(dirname "$(dpkg -L dataset-fashion-mnist | grep 'train-images-idx3-ubyte.gz$')")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for ranks in 1 2; do
  cat >"$tmp/exp$ranks.toml" <<TOML
inherit = "$repo/experiments/demo/base.toml"
[train]
on = "general"
steps = $steps
batch_size = $((64 / ranks))
lr = 1e-3
log_every = $steps
checkpoint_every = $steps
TOML
  "$repo/launch/mpirun" -np $ranks "$build/hierad" --log-level warn train "$tmp/exp$ranks.toml" \
    --run-dir "$tmp/run$ranks"
done
/usr/bin/python3 - "$tmp" "$steps" <<'PY'
import sys, h5py
tmp, steps = sys.argv[1], int(sys.argv[2])
rate = {}
for ranks in (1, 2):
    row = h5py.File(f"{tmp}/run{ranks}/metrics.h5", "r")["train"][-1]
    rate[ranks] = row["images_per_s"] / 64
    print(f"{ranks} rank(s): {rate[ranks]:.2f} steps/s ({row['images_per_s']:.0f} images/s), "
          f"communication {100 * row['comm_fraction']:.1f}% of the time, {row['bpd']:.3f} bpd")
print(f"2 ranks / 1 rank: {rate[2] / rate[1]:.2f}x")
PY
