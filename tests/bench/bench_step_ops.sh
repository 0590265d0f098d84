#!/usr/bin/env bash
# ATen operator calls per training step for the `cpu` and the default model, on 1 and 2 ranks
# (bench_step_ops.cpp says what is counted).
#
#   tests/bench/bench_step_ops.sh [BUILD_DIR]
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$repo/build}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export BENCH_TINY=$tmp/tiny.bin
head -c $((2048 * 3072)) /dev/urandom >"$BENCH_TINY"
for config in cpu default; do
  for ranks in 1 2; do
    echo "== $config model, $ranks rank(s)"
    "$repo/launch/mpirun" -np $ranks "$build/tests/bench/bench_step_ops" "$repo/tests/bench/ops/$config.toml"
  done
done
