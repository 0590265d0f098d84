#!/usr/bin/env python3
"""80M Tiny Images in grey, an optional speed-up for the Fashion-MNIST experiments: tiny_images.bin
-> an HDF5 file hierad reads as format "hdf5" (dataset "images", uint8 [N, 1, 32, 32], NCHW).

hierad reads tiny_images.bin directly with a grey model (fmnist_mnist.toml does), converting each
image as it reads it; this file holds the same pixels (tests/data/tiny_grey_equal.sh) at a third of
the size and without the conversion's CPU time.

    /usr/bin/python3 experiments/paper/tiny_grey.py "$TINY_IMAGES" "$TINY_IMAGES_GREY"  # all: 81 GB
    /usr/bin/python3 experiments/paper/tiny_grey.py "$TINY_IMAGES" "$TINY_IMAGES_GREY" --blocks 24415

Grey = 0.2989 R + 0.5870 G + 0.1140 B, the weights of the authors' code (its tiny_grey option),
rounded to the nearest integer, halves up, in exact integer arithmetic: (2989 R + 5870 G + 1140 B +
5000) // 10000, as hierad's src/data/channels.hpp (the authors kept the fraction; hierad's pixels are 8-bit).
--blocks N keeps N random blocks of 64 consecutive images, in file order, as the paper's subset did
(24,415 blocks: 1.56M images, 1.6 GB). Needs numpy and h5py (Debian: python3-numpy, python3-h5py).
Writes OUTPUT.tmp and renames it when complete.
"""
import argparse
import os

import h5py
import numpy as np

IMAGE_BYTES = 3 * 32 * 32
BLOCK = 64
CHUNK = 1 << 16  # images per read: 192 MiB of RGB


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tiny_images", help="tiny_images.bin")
    parser.add_argument("output", help="the HDF5 file to write")
    parser.add_argument("--blocks", type=int, default=0, help="random 64-image blocks to keep; 0 = all")
    parser.add_argument("--seed", type=int, default=0, help="seed of the block choice")
    args = parser.parse_args()

    total = os.path.getsize(args.tiny_images) // IMAGE_BYTES
    # Byte c*1024 + col*32 + row of an image (method.md §6): [N, C, col, row], transposed below.
    rgb = np.memmap(args.tiny_images, np.uint8, "r", shape=(total, 3, 32, 32))
    if args.blocks > 0:
        n_blocks = (total + BLOCK - 1) // BLOCK
        if args.blocks > n_blocks:
            parser.error(f"--blocks {args.blocks}: the file has only {n_blocks} blocks")
        chosen = np.sort(np.random.default_rng(args.seed).choice(n_blocks, args.blocks, replace=False))
        starts = chosen * BLOCK
        ranges = [(s, min(s + BLOCK, total)) for s in starts]
    else:
        ranges = [(s, min(s + CHUNK, total)) for s in range(0, total, CHUNK)]
    count = sum(end - begin for begin, end in ranges)

    weights = np.array([2989, 5870, 1140], np.uint32)[None, :, None, None]
    temporary = args.output + ".tmp"
    with h5py.File(temporary, "w") as out:
        images = out.create_dataset("images", (count, 1, 32, 32), np.uint8)  # contiguous: hierad preads it
        # Fixed-length byte strings: hierad's reader fails on h5py's default variable-length UTF-8 attributes.
        images.attrs["layout"] = np.bytes_("NCHW")
        images.attrs["source"] = np.bytes_(f"grey {os.path.basename(args.tiny_images)}")
        at = 0
        pending = []
        for i, (begin, end) in enumerate(ranges):
            pending.append(rgb[begin:end])
            if sum(len(p) for p in pending) >= CHUNK or i == len(ranges) - 1:
                x = np.concatenate(pending).astype(np.uint32)
                grey = ((x * weights).sum(axis=1, keepdims=True) + 5000) // 10000  # at most 255
                images[at:at + len(x)] = grey.astype(np.uint8).transpose(0, 1, 3, 2)
                at += len(x)
                pending = []
                print(f"{at}/{count} images", end="\r", flush=True)
        assert at == count
    os.replace(temporary, args.output)
    print(f"\nwrote {args.output}: {count} grey images")


if __name__ == "__main__":
    main()
