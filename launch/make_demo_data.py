#!/usr/bin/python3
"""Makes the demo's general distribution and OOD sets from images Debian's packages already ship.

    /usr/bin/python3 launch/make_demo_data.py OUT_DIR

Writes hierad's plain HDF5 image format (uint8 [N, 32, 32, 1], attribute layout = "NHWC"):

  natural_patches.h5  the demo's *general distribution*: 12,000 grey 32x32 patches cut at random
                      positions and scales (32..160 px squares, random flips) from the two
                      photographs scikit-learn ships (sklearn/datasets/images/china.jpg, flower.jpg).
                      A stand-in for 80M Tiny Images: natural-image statistics (smooth regions,
                      edges, textures) and no objects of any class, which is what the general model
                      is for: explaining the low-level part of the likelihood.
  digits.h5           an OOD set of real handwritten digits: scikit-learn's 1,797 8x8 digits
                      (UCI), upscaled to 22x22 and centred on a 32x32 black canvas like MNIST.
  noise.h5            an OOD set of 1,000 images of uniform noise (a sanity check: every score
                      should reject them).

Deterministic (fixed seeds); a second run overwrites the files with identical content.
"""
import gzip
import pathlib
import sys

import h5py
import numpy as np
from PIL import Image
import sklearn.datasets

SIZE = 32


def write(path, images):
    images = np.asarray(images, dtype=np.uint8)[..., None]  # N, H, W, 1
    with h5py.File(path, "w") as f:
        d = f.create_dataset("images", data=images)
        d.attrs["layout"] = np.bytes_("NHWC")
        d.attrs["source"] = np.bytes_(path.stem)
    print(f"{path}: {images.shape[0]} images")


def natural_patches(count, rng):
    folder = pathlib.Path(sklearn.datasets.__file__).parent / "images"
    photos = [np.asarray(Image.open(folder / name).convert("L")) for name in ("china.jpg", "flower.jpg")]
    out = np.empty((count, SIZE, SIZE), dtype=np.uint8)
    for i in range(count):
        photo = photos[i % len(photos)]
        side = int(rng.integers(SIZE, 161))
        y = int(rng.integers(0, photo.shape[0] - side + 1))
        x = int(rng.integers(0, photo.shape[1] - side + 1))
        patch = Image.fromarray(photo[y:y + side, x:x + side]).resize((SIZE, SIZE), Image.BILINEAR)
        patch = np.asarray(patch)
        if rng.random() < 0.5:
            patch = patch[:, ::-1]
        if rng.random() < 0.5:
            patch = patch[::-1, :]
        out[i] = patch
    return out


def digits():
    folder = pathlib.Path(sklearn.datasets.__file__).parent / "data"
    with gzip.open(folder / "digits.csv.gz", "rt") as f:
        rows = np.loadtxt(f, delimiter=",")
    pixels = rows[:, :64].reshape(-1, 8, 8) * (255.0 / 16.0)
    out = np.zeros((len(pixels), SIZE, SIZE), dtype=np.uint8)
    for i, digit in enumerate(pixels):
        big = Image.fromarray(digit.astype(np.uint8)).resize((22, 22), Image.BILINEAR)
        out[i, 5:27, 5:27] = np.asarray(big)
    return out


def main():
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(2020)
    write(out / "natural_patches.h5", natural_patches(12000, rng))
    write(out / "digits.h5", digits())
    write(out / "noise.h5", rng.integers(0, 256, size=(1000, SIZE, SIZE)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
