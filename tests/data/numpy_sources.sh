#!/usr/bin/env bash
# NumPy sources (src/data/numpy_source.hpp) on files numpy itself writes (Debian's python3-numpy):
# .npy in every image layout and header version, .npz stored (np.savez) and deflated
# (np.savez_compressed) with labels, a folder of ImageNet32-style batches in natural order; each
# read through `hierad convert` and compared pixel for pixel (and label for label) with numpy's own
# reading, HWC arrays transposed to CHW. Then the bad files: a wrong dtype, a wrong shape, Fortran
# order, a truncated .npy and .npz, a corrupt deflated member, each an error (exit 65) naming the file.
# Usage: numpy_sources.sh HIERAD
set -euo pipefail
hierad=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
py=/usr/bin/python3
$py - "$tmp" <<'PY'
import sys, os
import numpy as np
d = sys.argv[1]
rng = np.random.default_rng(11)
hwc = rng.integers(0, 256, (37, 32, 32, 3), dtype=np.uint8)
np.save(f"{d}/hwc.npy", hwc)                                            # [N, 32, 32, 3], version 1.0
np.lib.format.write_array(open(f"{d}/hwc_v2.npy", "wb"), hwc, version=(2, 0))
np.lib.format.write_array(open(f"{d}/hwc_v3.npy", "wb"), hwc, version=(3, 0))
np.save(f"{d}/chw.npy", np.ascontiguousarray(hwc.transpose(0, 3, 1, 2)))   # [N, 3, 32, 32]
np.save(f"{d}/grey.npy", hwc[..., 0])                                   # [N, 32, 32]
np.save(f"{d}/grey_c.npy", hwc[..., :1])                                # [N, 32, 32, 1]
# ImageNet32: data [N, 3072] (R, G, B planes, row-major), labels 1..1000 as a list.
planes = np.ascontiguousarray(hwc.transpose(0, 3, 1, 2)).reshape(37, 3072)
labels = rng.integers(1, 1001, 37)
np.savez(f"{d}/stored.npz", data=planes, labels=labels)
np.savez_compressed(f"{d}/deflated.npz", data=planes, labels=labels.astype(np.int32), mean=planes.mean(0))
np.savez(f"{d}/named.npz", x_train=hwc)
os.mkdir(f"{d}/batches")
for i in (1, 2, 10):  # natural order: 1, 2, 10 (not 1, 10, 2)
    np.savez_compressed(f"{d}/batches/train_data_batch_{i}.npz", data=planes[i:i + 3], labels=labels[i:i + 3])
# What hierad must read back: CHW images, and labels (-1 where none).
expect_chw = np.ascontiguousarray(hwc.transpose(0, 3, 1, 2))
np.save(f"{d}/expect_rgb.npy", expect_chw)
np.save(f"{d}/expect_grey.npy", expect_chw[:, :1])
np.save(f"{d}/expect_labels.npy", labels)
np.save(f"{d}/expect_batches.npy", np.concatenate([expect_chw[i:i + 3] for i in (1, 2, 10)]))
np.save(f"{d}/expect_batch_labels.npy", np.concatenate([labels[i:i + 3] for i in (1, 2, 10)]))
# Bad files.
np.save(f"{d}/float.npy", hwc.astype(np.float32))
np.save(f"{d}/shape.npy", hwc[:, :28, :28])
np.save(f"{d}/four.npy", rng.integers(0, 256, (4, 32, 32, 4), dtype=np.uint8))
np.save(f"{d}/fortran.npy", np.asfortranarray(hwc))
raw = open(f"{d}/hwc.npy", "rb").read()
open(f"{d}/truncated.npy", "wb").write(raw[:len(raw) - 100])
raw = open(f"{d}/stored.npz", "rb").read()
open(f"{d}/truncated.npz", "wb").write(raw[:len(raw) // 2])
raw = bytearray(open(f"{d}/deflated.npz", "rb").read())
raw[len(raw) // 3] ^= 0xFF
open(f"{d}/corrupt.npz", "wb").write(bytes(raw))
PY

# check NAME FORMAT PATH EXPECT [LABELS] [convert options...]: convert, then compare with numpy.
check() {
  local name=$1 format=$2 path=$3 expect=$4 labels=${5:-}; shift 5 || shift $#
  "$hierad" convert --format "$format" --path "$tmp/$path" "$@" "$tmp/$name.h5" >"$tmp/$name.log" 2>&1 ||
    { echo "FAIL $name:"; cat "$tmp/$name.log"; exit 1; }
  $py - "$tmp/$name.h5" "$tmp/$expect" "${labels:+$tmp/$labels}" <<'PY' || { echo "FAIL $name"; exit 1; }
import sys
import h5py
import numpy as np
f = h5py.File(sys.argv[1], "r")
got, want = f["images"][...], np.load(sys.argv[2])
assert got.shape == want.shape, (got.shape, want.shape)
assert (got == want).all(), f"{int((got != want).sum())} pixels differ"
if sys.argv[3]:
    assert (f["images_labels"][...] == np.load(sys.argv[3])).all(), "labels differ"
else:
    assert "images_labels" not in f
PY
  echo "ok $name ($format $path)"
}
check hwc npy hwc.npy expect_rgb.npy ""
check hwc_v2 npy hwc_v2.npy expect_rgb.npy ""
check hwc_v3 npy hwc_v3.npy expect_rgb.npy ""
check chw npy chw.npy expect_rgb.npy ""
check grey npy grey.npy expect_grey.npy ""
check grey_c npy grey_c.npy expect_grey.npy ""
check stored npz stored.npz expect_rgb.npy expect_labels.npy
check deflated npz deflated.npz expect_rgb.npy expect_labels.npy
check named npz named.npz expect_rgb.npy "" --input-dataset x_train
check batches npz batches expect_batches.npy expect_batch_labels.npy

# bad NAME FORMAT PATH PATTERN [options...]: exit 65 and a message naming the file.
bad() {
  local name=$1 format=$2 path=$3 pattern=$4 status=0; shift 4
  "$hierad" convert --format "$format" --path "$tmp/$path" "$@" "$tmp/$name.h5" >"$tmp/$name.log" 2>&1 || status=$?
  [[ $status == 65 ]] || { echo "FAIL $name: exit $status, not 65"; cat "$tmp/$name.log"; exit 1; }
  grep -qE -- "$tmp/$path.*$pattern" "$tmp/$name.log" || { echo "FAIL $name: '$pattern' not said:"; cat "$tmp/$name.log"; exit 1; }
  [[ ! -e $tmp/$name.h5 ]] || { echo "FAIL $name: wrote an output"; exit 1; }
  echo "ok $name: $(grep -m1 error: "$tmp/$name.log")"
}
bad float npy float.npy "dtype '<f4': images must be uint8"
bad shape npy shape.npy "shape \(37, 28, 28, 3\): expected"
bad four npy four.npy "shape \(4, 32, 32, 4\)"
bad fortran npy fortran.npy "Fortran order"
bad truncated npy truncated.npy "truncated: shape \(37, 32, 32, 3\) needs 113664 bytes of pixels, the file holds 113564"
bad truncated_npz npz truncated.npz "no end-of-directory record"
bad corrupt npz corrupt.npz "corrupt deflate data|CRC-32 mismatch|bad"
bad member npz named.npz "has no member images.npy \(nor data.npy, arr_0.npy\); it holds: x_train.npy"
bad not_npz npz hwc.npy "not a ZIP archive"
bad not_npy npy stored.npz "not a .npy array"
echo "== a grey model trains on the RGB ImageNet32-style batches (converted to grey as read)"
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../train/common.sh"
make_experiment "$tmp/train.toml" 4 3
sed -i "/^\[data.in_dist\]/,/^shift/{s|^format = .*|format = \"npz\"|; s|^path = .*|path = \"$tmp/batches\"|; s|^count = .*|count = 9|}" "$tmp/train.toml"
grep -q 'format = "npz"' "$tmp/train.toml"
"$hierad" train "$tmp/train.toml" --run-dir "$tmp/run" >"$tmp/train.log" 2>&1 || { cat "$tmp/train.log"; exit 1; }
grep -q "npz:$tmp/batches .*(as grey)" "$tmp/train.log" || { cat "$tmp/train.log"; echo "FAIL: source not named"; exit 1; }
[[ -s $tmp/run/checkpoints/ckpt-00000003.h5 ]] || { cat "$tmp/train.log"; echo "FAIL: no final checkpoint"; exit 1; }
echo "ok trained 3 steps"
echo "all NumPy source cases pass"
