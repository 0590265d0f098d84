#!/usr/bin/env bash
# `hierad train --print-config` of an experiment, read back by hierad, must print the same text:
# the printed config is complete and every value survives (defaults included).
set -euo pipefail
hierad=$1 experiment=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The experiment's ${VAR} paths (experiments/demo/base.toml uses two).
export FASHION_MNIST=/data/fashion-mnist DEMO_DATA=/data/demo
"$hierad" train --print-config "$experiment" >"$tmp/first.toml"
grep -q '^path = "/data/fashion-mnist/train-images-idx3-ubyte.gz"' "$tmp/first.toml"   # expanded
"$hierad" train --print-config "$tmp/first.toml" >"$tmp/second.toml"
diff -u "$tmp/first.toml" "$tmp/second.toml"
grep -q '^lr = 0.0005 ' "$tmp/first.toml"        # a default appears...
grep -q '^steps = 4 ' "$tmp/first.toml"          # ...and so does the experiment's own value
"$hierad" train --print-config >"$tmp/defaults.toml"
"$hierad" train --print-config "$tmp/defaults.toml" | diff -u "$tmp/defaults.toml" -
