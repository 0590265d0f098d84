#!/usr/bin/env bash
# A grey model reads tiny_images.bin directly; experiments/paper/tiny_grey.py (the optional grey
# copy) must hold the same pixels. On a generated Tiny file (random RGB, plus the colours whose
# weighted sum is an exact half, where rounding rules differ): `hierad convert --channels 1` (the
# reader's conversion, as make_source does it for a grey model) against tiny_grey.py, byte for byte.
# Usage: tiny_grey_equal.sh HIERAD
set -euo pipefail
hierad=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 - "$tmp/tiny.bin" <<'PY'
import sys
import numpy as np
rng = np.random.default_rng(5)
images = rng.integers(0, 256, size=(600, 3, 32, 32), dtype=np.uint8)
# Every colour of exact half (2989 r + 5870 g + 1140 b = 10^4 k + 5000), as many as fit, in image 0..
r, g, b = np.meshgrid(np.arange(256), np.arange(256), np.arange(256), indexing="ij")
half = (2989 * r + 5870 * g + 1140 * b) % 10000 == 5000
colours = np.stack([r[half], g[half], b[half]], axis=1)[: 100 * 1024]
flat = images.reshape(600, 3, 1024)
for i in range(len(colours) // 1024):
    flat[i] = colours[i * 1024:(i + 1) * 1024].T
images.tofile(sys.argv[1])
print(f"{len(colours)} exact-half colours among {600 * 1024} pixels")
PY
/usr/bin/python3 "$here/../../experiments/paper/tiny_grey.py" "$tmp/tiny.bin" "$tmp/script.h5" >/dev/null
"$hierad" convert --format tiny --path "$tmp/tiny.bin" --channels 1 "$tmp/hierad.h5" >"$tmp/convert.log" 2>&1 ||
  { cat "$tmp/convert.log"; exit 1; }
/usr/bin/python3 - "$tmp/script.h5" "$tmp/hierad.h5" "$tmp/tiny.bin" <<'PY'
import sys
import h5py
import numpy as np
script = h5py.File(sys.argv[1], "r")["images"][...]
ours = h5py.File(sys.argv[2], "r")["images"][...]
assert script.shape == ours.shape == (600, 1, 32, 32), (script.shape, ours.shape)
differ = int((script != ours).sum())
assert differ == 0, f"{differ} pixels differ"
# And both are the authors' weights, not a shared mistake: within half a level of the real sum.
rgb = np.fromfile(sys.argv[3], np.uint8).reshape(600, 3, 32, 32).astype(np.float64).transpose(0, 1, 3, 2)
exact = 0.2989 * rgb[:, 0] + 0.5870 * rgb[:, 1] + 0.1140 * rgb[:, 2]
assert np.abs(ours[:, 0] - exact).max() <= 0.5 + 1e-9
print("tiny_grey.py and hierad's conversion agree on all", ours.size, "pixels")
PY
