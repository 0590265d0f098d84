#!/usr/bin/env python3
"""Writes N images in 80M Tiny Images' binary format (3072 bytes an image: three colour planes,
each 32x32 column-major, as src/data/tiny_images.hpp reads them) for the GPU check's training and
scoring runs. Smooth colour fields with edges and noise, so the model has structure to learn;
deterministic (seeded), numpy only (the GPU machine has it, and no network).

    make_tiny.py OUT.bin N
"""
import sys

import numpy as np


def images(n: int, rng: np.random.Generator) -> np.ndarray:
    """uint8 [n, 32, 32, 3] (row, column, channel)."""
    yy, xx = np.mgrid[0:32, 0:32].astype(np.float32) / 31.0
    out = np.empty((n, 32, 32, 3), np.float32)
    for i in range(n):
        base = rng.uniform(0, 255, 3)
        gx, gy = rng.uniform(-120, 120, (2, 3))
        field = base + gx * xx[..., None] + gy * yy[..., None]
        # one random straight edge with a colour step across it
        a, b, c = rng.normal(size=3)
        step = ((a * (xx - 0.5) + b * (yy - 0.5) + 0.3 * c) > 0)[..., None] * rng.uniform(-80, 80, 3)
        out[i] = field + step + rng.normal(0, 6, (32, 32, 3))
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def main() -> int:
    path, n = sys.argv[1], int(sys.argv[2])
    rng = np.random.default_rng(20201206)
    with open(path, "wb") as f:
        for start in range(0, n, 1024):
            block = images(min(1024, n - start), rng)
            # [n, row, col, ch] -> [n, ch, col, row]: plane-major, column-major within a plane
            f.write(np.ascontiguousarray(block.transpose(0, 3, 2, 1)).tobytes())
    return 0


if __name__ == "__main__":
    sys.exit(main())
