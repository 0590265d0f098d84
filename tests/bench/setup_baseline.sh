#!/usr/bin/env bash
# Creates the PyTorch eager baseline environment for the model benchmark (idempotent).
#
# The baseline must be the same torch as hierad's LibTorch (2.13.0 from PyPI), but NOT its CUDA wheel
# stack (several GB): torch is installed with --no-deps, plus only its small pure-Python
# dependencies. libtorch_cuda.so finds NCCL/cuSPARSELt/NVSHMEM/cuFile through its RPATH
# $ORIGIN/../../nvidia/*/lib, so site-packages/nvidia is a link to the copy launch/setup unpacked in
# /opt/hierad/torch-2.13.0/nvidia; everything else CUDA comes from /usr/local/cuda via ld.so.conf.
#
#   tests/bench/setup_baseline.sh          # creates/checks $HIERAD_BENCH_VENV (default /opt/hierad/bench-venv)
#
# Environment: HIERAD_PREFIX (default /opt/hierad), HIERAD_BENCH_VENV.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
prefix=${HIERAD_PREFIX:-/opt/hierad}
venv=${HIERAD_BENCH_VENV:-$prefix/bench-venv}
torch_version=$(sed -n 's/^torch==\([^ ]*\).*/\1/p' "$repo/launch/torch-wheels.txt")
torch_hash=$(sed -n 's/^torch==[^ ]* --hash=\(sha256:[0-9a-f]*\).*/\1/p' "$repo/launch/torch-wheels.txt")
nvidia_dir=$prefix/torch-$torch_version/nvidia
say() { printf '[setup_baseline] %s\n' "$*"; }

if [[ -f "$venv/.complete-$torch_version" ]] &&
   "$venv/bin/python" -c "import torch,sys; sys.exit(torch.__version__.split('+')[0] != '$torch_version')" 2>/dev/null; then
  say "ready: $venv (torch $torch_version)"
  exit 0
fi

[[ -d "$nvidia_dir" ]] || { echo "missing $nvidia_dir: run launch/setup first" >&2; exit 1; }
# Debian's python3 (3.11, matching the cp311 wheel) with its ensurepip.
/usr/bin/python3 -m venv "$venv"
pip=("$venv/bin/python" -m pip --quiet --disable-pip-version-check)

# torch's small pure-Python dependencies first, so that pip has nothing to complain about when
# torch itself comes in without its (CUDA wheel) dependencies.
say "installing torch's pure-Python dependencies"
"${pip[@]}" install numpy typing_extensions sympy mpmath filelock networkx jinja2 markupsafe fsspec
# The wheel launch/setup may have left in $prefix/dl is reused when its hash matches the pin.
wheel=$(ls "$prefix"/dl/torch-"$torch_version"-cp311-*.whl 2>/dev/null | head -n1 || true)
if [[ -n "$wheel" ]] && [[ "sha256:$(sha256sum "$wheel" | cut -d' ' -f1)" == "$torch_hash" ]]; then
  say "installing torch $torch_version from $wheel (--no-deps)"
  "${pip[@]}" install --no-deps "$wheel"
else
  say "downloading torch $torch_version from PyPI (--no-deps, hash-pinned)"
  req=$(mktemp); trap 'rm -f "$req"' EXIT
  echo "torch==$torch_version --hash=$torch_hash" >"$req"
  "${pip[@]}" install --no-deps --require-hashes -r "$req"
fi

site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
ln -sfn "$nvidia_dir" "$site/nvidia"
"$venv/bin/python" -c "import torch; print('[setup_baseline] import torch OK:', torch.__version__, 'cuda', torch.version.cuda)"
touch "$venv/.complete-$torch_version"
