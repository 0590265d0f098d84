#!/usr/bin/env bash
# Fine-tuning from a general model with the outlier loss, on 2 ranks. At the first step the
# fine-tuned model still equals the frozen general model, so log p_in = log p_gen on every outlier
# image and the outlier term is exactly w * softplus(0) = 6000 ln 2 nats: the logged loss must
# exceed the logged NLL (bits/dim * D ln 2) by that much. The model must also move away from the
# general one.
set -euo pipefail
hierad=$1 compare=$2
source "$(dirname "$0")/common.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
make_experiment "$tmp/general.toml" 8 3
sed -i 's/^on = "in_dist"/on = "general"/; s/^\[data.in_dist\]/[data.general]/' "$tmp/general.toml"
mpirun -np 2 "$hierad" train "$tmp/general.toml" --run-dir "$tmp/general"
sed -e "s|@FASHION_MNIST@|$(fmnist_dir)|g" -e "s|@GENERAL_RUN@|$tmp/general|g" \
  "$(dirname "$0")/tiny_finetune_outlier.toml" >"$tmp/outlier.toml"
mpirun -np 2 "$hierad" train "$tmp/outlier.toml" --run-dir "$tmp/outlier"
/usr/bin/python3 - "$tmp/outlier/metrics.h5" <<'PY'
import math, sys, h5py
rows = h5py.File(sys.argv[1], "r")["train"][:]
first = rows[0]
nll = first["bpd"] * 1024 * math.log(2)
term = first["loss"] - nll
print(f"step {first['step']:.0f}: loss {first['loss']:.3f} nats, NLL {nll:.3f} nats, outlier term {term:.3f}")
assert abs(term - 6000 * math.log(2)) < 0.05, f"outlier term {term}, expected {6000 * math.log(2)}"
PY
# Fine-tuning changed the weights: the models must differ (the comparison must fail).
if "$compare" "$tmp/general/checkpoints/ckpt-00000003.h5" "$tmp/outlier/checkpoints/ckpt-00000002.h5" \
     0 model/ >/dev/null; then
  echo "the fine-tuned model equals the general model"; exit 1
fi
