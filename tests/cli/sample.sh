#!/usr/bin/env bash
# `hierad sample` on a trained tiny grey model: a grey PNG grid of the asked size, the same bytes
# for the same seed and other pixels for another, every tile alike at temperature 0, and a clear
# error for a run that has not finished; an RGB model (Fashion-MNIST copied into R, G and B) gives
# an RGB grid. Usage: sample.sh HIERAD
set -euo pipefail
hierad=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
source "$here/../train/common.sh"
make_experiment "$tmp/exp.toml" 8 4
"$hierad" train "$tmp/exp.toml" --run-dir "$tmp/run" >"$tmp/train.log" 2>&1 || { cat "$tmp/train.log"; exit 1; }
"$hierad" sample "$tmp/exp.toml" --run-dir "$tmp/run" --n 10 --temperature 0.7 --seed 4 >"$tmp/a.log" 2>&1
"$hierad" sample "$tmp/exp.toml" --run-dir "$tmp/run" --n 10 --temperature 0.7 --seed 4 --output "$tmp/b.png" >/dev/null 2>&1
"$hierad" sample "$tmp/exp.toml" --run-dir "$tmp/run" --n 10 --temperature 0.7 --seed 5 --output "$tmp/c.png" >/dev/null 2>&1
"$hierad" sample "$tmp/exp.toml" --run-dir "$tmp/run" --n 6 --columns 3 --temperature 0 --output "$tmp/cold.png" >/dev/null 2>&1
grep -q "wrote $tmp/run/samples-T0.70.png: 10 samples at temperature 0.70 (seed 4) of .*ckpt-00000004.h5" "$tmp/a.log" ||
  { cat "$tmp/a.log"; exit 1; }
cmp "$tmp/run/samples-T0.70.png" "$tmp/b.png"
! cmp -s "$tmp/b.png" "$tmp/c.png"
/usr/bin/python3 - "$tmp" <<'PY'
import sys
import numpy as np
from PIL import Image
d = sys.argv[1]
grid = Image.open(f"{d}/b.png")
assert grid.mode == "L", grid.mode                      # grey model, grey PNG
assert grid.size == (4 * 32 + 5 * 2, 3 * 32 + 4 * 2), grid.size  # 10 tiles: 4 columns, 3 rows, 2-px gaps
g = np.asarray(grid)
assert (g[:2] == 255).all() and (g[:, :2] == 255).all()           # white border
tiles = [g[2 + r * 34:2 + r * 34 + 32, 2 + c * 34:2 + c * 34 + 32] for r in range(3) for c in range(4)]
assert (tiles[10] == 255).all() and (tiles[11] == 255).all()     # no 11th and 12th sample
assert len({t.tobytes() for t in tiles[:10]}) == 10              # ten different samples
cold = np.asarray(Image.open(f"{d}/cold.png"))
assert cold.shape == (2 * 32 + 3 * 2, 3 * 32 + 4 * 2), cold.shape
tiles = [cold[2 + r * 34:2 + r * 34 + 32, 2 + c * 34:2 + c * 34 + 32] for r in range(2) for c in range(3)]
assert all((t == tiles[0]).all() for t in tiles) and tiles[0].std() > 0   # T = 0: z = 0 for all
print("sample grids as expected")
PY
echo "== an RGB model gives an RGB grid"
sed 's/^channels = 1/channels = 3/' "$tmp/exp.toml" >"$tmp/rgb.toml"
grep -q "^channels = 3" "$tmp/rgb.toml"
"$hierad" train "$tmp/rgb.toml" --run-dir "$tmp/rgb" >"$tmp/rgb.log" 2>&1 || { cat "$tmp/rgb.log"; exit 1; }
"$hierad" sample "$tmp/rgb.toml" --run-dir "$tmp/rgb" --n 4 --output "$tmp/rgb.png" >>"$tmp/rgb.log" 2>&1 ||
  { cat "$tmp/rgb.log"; exit 1; }
/usr/bin/python3 -c "
from PIL import Image; im = Image.open('$tmp/rgb.png')
assert im.mode == 'RGB' and im.size == (2 * 32 + 3 * 2,) * 2, (im.mode, im.size)
print('RGB grid', im.size)"

echo "== a run that has not finished is an error naming it"
rm "$tmp/run/checkpoints/ckpt-00000004.h5"
status=0; "$hierad" sample "$tmp/exp.toml" --run-dir "$tmp/run" >"$tmp/unfinished.log" 2>&1 || status=$?
[[ $status != 0 ]] && grep -q "$tmp/run" "$tmp/unfinished.log" || { cat "$tmp/unfinished.log"; exit 1; }
grep -m1 error: "$tmp/unfinished.log"
echo "hierad sample works"
