#!/usr/bin/env python3
"""Writes the seed corpora tests/fuzz/corpus/<harness>/ from hierad's own fixtures.

  tests/fuzz/make_seeds.py BUILD_DIR   (BUILD_DIR has fuzz_make_seeds: a fuzz or a normal build)

HDF5, MAT, PNG and JPEG files come from fuzz_make_seeds (hierad's writers, matio, stb_image_write);
the raw formats (Tiny, CIFAR, IDX) and the experiment files are made here. Each seed is laid out as
its harness reads an input (the harness's header comment): flag bytes, then u16-length parts.
"""
import gzip
import pathlib
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def part(data: bytes) -> bytes:
    assert len(data) < 65536
    return struct.pack("<H", len(data)) + data


def pattern(n: int, salt: int = 0) -> bytes:
    return bytes((i * 37 + i // 7 + salt) & 0xFF for i in range(n))


def idx_images(n, rows, cols):
    return struct.pack(">IIII", 0x803, n, rows, cols) + pattern(n * rows * cols)


def idx_labels(labels):
    return struct.pack(">II", 0x801, len(labels)) + bytes(labels)


HAND_WRITTEN_BASE = b"""name = "fuzzbase"
output_dir = "${HIERAD_FUZZ_VAR}/runs"
[data.in_dist]
format = "cifar10"
path = "${CIFAR10_DIR:-/data/cifar10}"
split = "train"
"""
HAND_WRITTEN_SWEEP = b"""inherit = "base.toml"
name = "fuzzsweep"
[stages.general]
do = ["train", "score"]
[stages.tune]
needs = ["general"]
do = ["train", "score", "analyze"]
[stages.tune.train]
init_from = "stage:general"
[sweep]
seed = 3
samples = 2
[sweep.grid]
"train.lr" = [1e-3, 5e-4]
[sweep.random]
"train.seed" = {uniform = [0, 100]}
"""


def numpy_seeds():
    import io
    import numpy as np  # Debian's python3-numpy

    def saved(write, *args, **arrays):
        out = io.BytesIO()
        write(out, *args, **arrays)
        return out.getvalue()

    images = np.frombuffer(pattern(2 * 3072), np.uint8).reshape(2, 32, 32, 3)
    planes = np.ascontiguousarray(images.transpose(0, 3, 1, 2)).reshape(2, 3072)
    return [
        ("npy_hwc", 0, saved(np.save, images)),
        ("npy_grey", 0, saved(np.save, images[..., 0])),
        ("npy_planes_v2", 0, saved(lambda f, a: np.lib.format.write_array(f, a, version=(2, 0)), planes)),
        ("npz_stored_labels", 1, saved(np.savez, data=planes, labels=np.array([1, 1000]))),
        ("npz_deflated_x", 3, saved(np.savez_compressed, x=images, labels=np.array([3, 4], np.int32))),
    ]


def main():
    build = pathlib.Path(sys.argv[1])
    corpus = HERE / "corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    seeds = {}

    def add(harness, name, data):
        seeds.setdefault(harness, {})[name] = data

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([str(build / "tests/fuzz/fuzz_make_seeds"), tmp], check=True,
                       env={"ASAN_OPTIONS": "detect_leaks=0", "PATH": "/usr/bin:/bin"})
        files = {p.name: p.read_bytes() for p in pathlib.Path(tmp).iterdir()}

    # experiment: base.toml part, then exp.toml
    for folder in ("demo", "cpu", "paper"):
        base = (ROOT / "experiments" / folder / "base.toml").read_bytes()
        for exp in sorted((ROOT / "experiments" / folder).glob("*.toml")):
            if exp.name != "base.toml":
                add("experiment", f"{folder}_{exp.stem}", part(base) + exp.read_bytes())
    add("experiment", "hand_sweep", part(HAND_WRITTEN_BASE) + HAND_WRITTEN_SWEEP)
    add("experiment", "hand_single", part(b"") + HAND_WRITTEN_BASE)

    # tiny: pad flag, exclusion list part, images
    add("tiny", "three_exclude_two", b"\x00" + part(b"2\n\n 3 \n") + pattern(3 * 3072))
    add("tiny", "two_padded_no_list", b"\x01" + part(b"") + pattern(3072 + 100))

    # cifar: flags (bit 0 cifar100, then file count - 1), files as parts
    rec10 = lambda label, salt: bytes([label]) + pattern(3072, salt)
    rec100 = lambda coarse, fine, salt: bytes([coarse, fine]) + pattern(3072, salt)
    add("cifar", "cifar10_one_file", b"\x00" + rec10(3, 0) + rec10(9, 1))
    add("cifar", "cifar100_one_file", b"\x01" + rec100(19, 99, 0) + rec100(0, 5, 1))
    add("cifar", "cifar10_two_files", b"\x02" + part(rec10(1, 2)) + rec10(2, 3))

    # svhn: the .mat files
    add("svhn", "v5", files["svhn_v5.mat"])
    add("svhn", "v5_zlib", files["svhn_v5_zlib.mat"])

    # idx: flags (bit 0: gzip here; then output size - 1), labels part, images
    add("idx", "raw_labelled", bytes([(31 << 1)]) + part(idx_labels([1, 2, 3])) + idx_images(3, 4, 5))
    add("idx", "gzip_labelled", bytes([1 | (27 << 1)]) + part(idx_labels([7, 0])) + idx_images(2, 28, 28))
    add("idx", "raw_file_is_gzip", bytes([(7 << 1)]) + part(b"") + gzip.compress(idx_images(2, 3, 3), mtime=0))

    # image: flags (bits 0-1 extension, bit 2 grey, then output size - 1), then the file
    for name in ("rgb.png", "grey.png", "rgb.jpg", "grey.jpg"):
        ext = 1 if name.endswith(".jpg") else 0
        add("image", name.replace(".", "_"), bytes([ext | (31 << 3)]) + files[name])
        add("image", name.replace(".", "_") + "_grey_small", bytes([ext | 4 | (4 << 3)]) + files[name])

    # hdf5_images: output size - 1, then the file
    add("hdf5_images", "nchw", bytes([31]) + files["images_nchw.h5"])
    add("hdf5_images", "nhwc_resized", bytes([15]) + files["images_nhwc.h5"])

    # numpy: flags (bit 0 npz, bit 1 member "x"), then the file, as numpy writes it
    for name, flags, data in numpy_seeds():
        add("numpy", name, bytes([flags]) + data)

    add("checkpoint", "sample", files["ckpt.h5"])
    add("score_file", "deflate", files["scores_deflate.h5"])
    add("score_file", "plain", files["scores_plain.h5"])

    for harness, named in seeds.items():
        (corpus / harness).mkdir(parents=True)
        for name, data in named.items():
            (corpus / harness / name).write_bytes(data)
        print(f"{harness}: {len(named)} seeds, {sum(map(len, named.values()))} bytes")


if __name__ == "__main__":
    main()
