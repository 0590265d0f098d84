#!/usr/bin/env bash
# The GPU machine's one prepared check. A session lent a GPU runs it once, with the device tool:
#
#   run  command: tests/gpu/run.sh      carry: ["tests/gpu/debs"]      timeout_s: 560
#
# (first, on the CPU machine: tests/gpu/fetch_debs.sh, which fills the carried folder). That machine
# is bare (CUDA 13, PyTorch 2.11, CMake, ninja; no Debian packages, no network), so the script
# unpacks the carried Debian packages into a prefix (deps_env.sh), configures against the
# machine's own LibTorch, builds in parallel, and then, each step with its own time limit:
#   1. the CUDA tests (tests/gpu/cuda_test.cpp);
#   2. 20 training steps on the GPU and the same 20 on the CPU: bits/dim within 1e-3 (fp32);
#   3. the GPU-trained checkpoint scored on the GPU (CUDA graph) and on the CPU: every term close;
#   4. bench_model against the PyTorch eager model (glow_eager.py) in fp32, tf32 and bf16;
#   5. default-config training (L=3, K=32, hidden 512, batch 64): images/s with train.deterministic
#      on and off, peak GPU memory and utilisation (nvidia-smi samples);
#   6. the rest of the build and the whole test suite.
# Everything goes to $OUT as it happens: summary.md (one line a step, the figures) and logs/, so a
# run cut off by its time limit still returns what it did.
#
#   tests/gpu/run.sh --dry-run [BUILD_DIR]
#
# The CPU machine's dry run (a ctest, so the script cannot rot): the same steps on the CPU with the
# existing build and fewer steps; what needs a GPU or the bare machine is reported as skipped.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

# ------------------------------------------------------------------------------------------------
# Steps: each runs as `run.sh --step NAME ARGS...` under `timeout`, in the environment set below.

probe() {
  echo "date: $(date -u +%FT%TZ)"
  echo "os: $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")"
  echo "glibc: $(ldd --version 2>/dev/null | head -1)"
  echo "cxx: $(c++ --version 2>/dev/null | head -1 || echo none)"
  echo "nvcc: $(nvcc --version 2>/dev/null | tail -1 || echo none)"
  echo "cmake: $(cmake --version | head -1)"
  echo "cores: $(nproc)"
  echo "gpu: $(nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv,noheader 2>/dev/null || echo none)"
  echo "python torch: $("$PY" -c 'import torch; print(torch.__version__, torch.version.cuda, torch.cuda.is_available())' 2>&1 | tail -1)"
  local site
  site=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' 2>/dev/null)
  echo "nccl.h: $(find "$site/nvidia" /usr/local/cuda/include -name nccl.h 2>/dev/null | head -1)"
}

configure() {
  local torch_dir
  torch_dir=$("$PY" -c 'import torch.utils; print(torch.utils.cmake_prefix_path)')/Torch
  cmake -S "$repo" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTorch_DIR="$torch_dir" \
    -DTORCH_CUDA_ARCH_LIST=9.0 "${DEPS_CMAKE_ARGS[@]}"
}

# experiment FILE DEVICE STEPS HIDDEN TRAIN_STEPS BATCH DETERMINISTIC
experiment() {
  cat >"$1" <<TOML
name = "gpu-check"
output_dir = "$WORK/runs"
[model]
channels = 3
scales = 3
steps = $3
hidden = $4
device = "$2"
precision = "fp32"
init_batches = 2
init_batch_size = 64
[data]
loader_threads = 4
prefetch_batches = 8
seed = 1
[data.general]
format = "tiny"
path = "$WORK/tiny.bin"
count = 3584
[data.in_dist_test]
format = "tiny"
path = "$WORK/tiny.bin"
first = 3584
[train]
on = "general"
steps = $5
batch_size = $6
log_every = $(($5 < 10 ? 1 : 10))
checkpoint_every = $5
deterministic = $7
[score]
batch_size = 128
TOML
}

# train NAME DEVICE STEPS HIDDEN TRAIN_STEPS BATCH DETERMINISTIC: trains into $WORK/runs/NAME,
# sampling the GPU's utilisation and memory while it runs.
train() {
  local name=$1
  experiment "$WORK/$name.toml" "${@:2}"
  rm -rf "$WORK/runs/$name"
  local sampler=
  if command -v nvidia-smi >/dev/null && [[ $2 == cuda* ]]; then
    nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader,nounits -lms 200 \
      >"$WORK/$name.gpu.csv" & sampler=$!
  fi
  $MPIRUN -np 1 "$BUILD/hierad" train "$WORK/$name.toml" --run-dir "$WORK/runs/$name"
  local rc=$?
  [[ -n $sampler ]] && kill "$sampler" 2>/dev/null
  "$PY" - "$WORK/runs/$name/metrics.h5" "$WORK/$name.gpu.csv" <<'PY'
import os, sys, h5py
row = h5py.File(sys.argv[1], "r")["train"][-1]
line = f"images/s {row['images_per_s']:.1f} (steps {int(row['step'])}), bits/dim {row['bpd']:.4f}"
if os.path.exists(sys.argv[2]):
    samples = [tuple(map(float, l.split(","))) for l in open(sys.argv[2]) if l.count(",") == 1]
    busy = [u for u, _ in samples[len(samples) // 3:]]  # after start-up and init
    if samples:
        line += (f", GPU utilisation {sum(busy) / max(len(busy), 1):.0f}% (mean of the last two thirds of "
                 f"{len(samples)} samples), peak memory {max(m for _, m in samples) / 1024:.2f} GiB (nvidia-smi)")
print("FIGURE", line)
PY
  return $rc
}

# score NAME RUN DEVICE CUDA_GRAPH: scores RUN's last checkpoint with the model on DEVICE.
score() {
  local name=$1 run=$2
  experiment "$WORK/$name.toml" "$3" 8 128 20 64 true
  printf 'cuda_graph = %s\n' "$4" >>"$WORK/$name.toml"
  $MPIRUN -np 1 "$BUILD/hierad" score "$WORK/$name.toml" --run-dir "$WORK/runs/$run" --output "$WORK/$name.h5"
}

# bench PRECISION DEVICE ITERS: bench_model and glow_eager.py, the default model, batch 64.
bench() {
  local precision=$1 device=$2 iters=$3 config=default status=0
  [[ $device == cpu ]] && config=cpu
  "$BUILD/tests/bench/bench_model" --config "$config" --device "$device" --precision "$precision" \
    --warmup 2 --iters "$iters" --threads "$(nproc)" || status=1
  if "$PY" -c 'import torch' 2>/dev/null; then
    "$PY" "$repo/tests/bench/glow_eager.py" --config "$config" --device "$device" --precision "$precision" \
      --warmup 2 --iters "$iters" --threads "$(nproc)" || status=1
  else
    echo "RESULT eager $config skipped (no torch in $PY)"
  fi
  return $status
}

if [[ ${1:-} == --step ]]; then
  source "$here/deps_env.sh"
  [[ -n ${DEPS_PREFIX:-} ]] && deps_env "$DEPS_PREFIX"
  shift
  "$@"
  exit $?
fi

# ------------------------------------------------------------------------------------------------
# The run.
dry=0
if [[ ${1:-} == --dry-run ]]; then dry=1; shift; fi
export OUT=${OUT:-$repo/build/gpu-check}
mkdir -p "$OUT/logs"
summary=$OUT/summary.md
: >"$summary"
failures=0
start=$SECONDS

note() { printf '%s\n' "$*" | tee -a "$summary"; }
skipped() { note "- [skipped] $1: $2"; }
# step NAME LIMIT_S FUNCTION ARGS...: one summary line; FIGURE lines of its output go there too.
step() {
  local name=$1 limit=$2 t0=$SECONDS rc
  shift 2
  timeout --kill-after=5 "$limit" "$0" --step "$@" >"$OUT/logs/$name.log" 2>&1
  rc=$?
  if ((rc == 0)); then
    note "- [ok] $name ($((SECONDS - t0)) s)"
  else
    failures=$((failures + 1))
    ((rc == 124)) && note "- [TIMED OUT after $limit s] $name" ||
      note "- [FAILED rc=$rc] $name ($((SECONDS - t0)) s): $(tail -n 4 "$OUT/logs/$name.log" | tr '\n' ' ' | cut -c1-400)"
  fi
  sed -n 's/^FIGURE /    /p; s/^RESULT /    RESULT /p' "$OUT/logs/$name.log" | tee -a "$summary"
  return $rc
}

if ((dry)); then
  export BUILD=$(cd "${1:-$repo/build}" && pwd) WORK=$OUT/work PY=/usr/bin/python3
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
  export MPIRUN=mpirun
  accel=cpu train_steps=4 default_steps=2 default_hidden=128 default_k=8 bench_iters=1
  note "# tests/gpu/run.sh --dry-run (CPU, $BUILD)"
else
  export BUILD=$repo/build-gpu WORK=/tmp/hierad-gpu-check PY=${PYTHON:-python3}
  export DEPS_PREFIX=$WORK/deps MPIRUN=mpirun
  accel=cuda train_steps=20 default_steps=40 default_hidden=512 default_k=32 bench_iters=10
  note "# tests/gpu/run.sh on the GPU machine"
fi
mkdir -p "$WORK"
note "commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$repo" diff --quiet HEAD 2>/dev/null || echo ' (+ uncommitted changes)')"

step probe 60 probe
sed -n 's/^/    /p' "$OUT/logs/probe.log" >>"$summary"
if ((dry)); then
  skipped "deps, configure, build" "the dry run uses $BUILD and this machine's packages"
else
  # deps_unpack runs here, not as a step: the steps' environment needs the prefix.
  source "$here/deps_env.sh"
  if deps_unpack "$here/debs" "$DEPS_PREFIX" >"$OUT/logs/deps.log" 2>&1; then note "- [ok] deps"; else
    note "- [FAILED] deps: $(tail -2 "$OUT/logs/deps.log")"; failures=$((failures + 1)); fi
  step configure 90 configure || { note "cannot build: stopping"; exit 1; }
  step build_core 270 ninja -C "$BUILD" -j "$(nproc)" hierad bench_model cuda_tests compare_score_files ||
    { note "cannot build: stopping"; exit 1; }
fi

step data 60 "$PY" "$here/make_tiny.py" "$WORK/tiny.bin" 4096
step cuda_tests 90 "$BUILD/tests/gpu/cuda_tests"
grep -E '^\[  (PASSED|SKIPPED|FAILED) ' "$OUT/logs/cuda_tests.log" | sed 's/^/    /' >>"$summary"

# 2. The same 20 steps on both devices (the data's noise and order do not depend on the device).
# "device" is the GPU ($accel; the CPU in the dry run), "cpu" the reference.
step train20_device 120 train train20_device $accel 8 128 $train_steps 64 true
step train20_cpu 180 train train20_cpu cpu 8 128 $train_steps 64 true
step train20_compare 30 "$PY" "$here/compare_close.py" metrics \
  "$WORK/runs/train20_device/metrics.h5" "$WORK/runs/train20_cpu/metrics.h5" --atol-bpd 1e-3

# 3. One checkpoint, scored on both devices.
step score_device 90 score score_device train20_device $accel true
step score_cpu 120 score score_cpu train20_device cpu false
step score_compare 30 "$PY" "$here/compare_close.py" scores "$WORK/score_device.h5" "$WORK/score_cpu.h5"

# 4. The model benchmark against PyTorch eager, in the same run.
if ((dry)); then
  step bench_fp32 120 bench fp32 cpu $bench_iters
  skipped "bench tf32, bf16" "GPU precisions"
else
  for precision in fp32 tf32 bf16; do step bench_$precision 90 bench $precision cuda $bench_iters; done
fi

# 5. Default-config training throughput; the cost of train.deterministic.
step train_default_deterministic 120 train default_det $accel $default_k $default_hidden $default_steps 64 true
step train_default_nondeterministic 120 train default_nondet $accel $default_k $default_hidden $default_steps 64 false

# 6. Everything else.
if ((dry)); then
  skipped "full build and ctest" "CI runs the suite itself"
else
  step build_rest 180 ninja -C "$BUILD" -j "$(nproc)"
  step ctest 150 ctest --test-dir "$BUILD" -j 8 --timeout 120 --output-on-failure
  grep -E 'tests passed|tests failed' "$OUT/logs/ctest.log" | sed 's/^/    /' >>"$summary"
fi

note "total $((SECONDS - start)) s, $failures step(s) failed"
((failures == 0))
