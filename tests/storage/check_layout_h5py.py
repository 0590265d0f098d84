#!/usr/bin/python3
"""Reads hierad's files with h5py alone, following storage/README.md, and checks what it finds.

usage: check_layout_h5py.py SCORES.h5 SAMPLE_DIR
SCORES.h5 is the synthetic score file (tests/storage/synthetic_scores.hpp); SAMPLE_DIR holds the
checkpoint and metrics log written by layout_sample. Exit status 1 on any mismatch.
"""
import math
import struct
import sys
import zlib

import h5py
import numpy as np


def check_scores(path):
    with h5py.File(path, "r") as f:
        assert f.attrs["format"] == b"hierad-scores", f.attrs["format"]
        assert f.attrs["format_version"] == 1
        L = int(f.attrs["n_scales"])
        assert L == 3
        assert f.attrs["checkpoint_run_id"].decode() == "run-42"
        assert f.attrs["checkpoint_step"] == 50000
        assert f.attrs["checkpoint_checksum"] == 0xDEADBEEF
        assert set(f.keys()) == {"cifar10_test", "svhn_test", "empty", "general_heldout"}, list(f.keys())
        for name, g in f.items():
            n = int(g.attrs["count"])
            assert g.attrs["name"].decode() == name
            for col, dtype in (("index", np.int64), ("log_p", np.float64), ("bpd", np.float64)):
                assert g[col].shape == (n,) and g[col].dtype == dtype, (name, col, g[col].shape, g[col].dtype)
            for col in ("F", "A", "G", "lp"):
                assert g[col].shape == (n, L) and g[col].dtype == np.float64, (name, col)
            if n == 0:
                continue
            F, A, G, lp = (g[c][:] for c in ("F", "A", "G", "lp"))
            # method.md §2: lp_k = F_k + A_k + G_k and log p = sum_k lp_k (the synthetic data obey both
            # except where log p was set to -inf).
            assert np.array_equal(lp, F + A + G, equal_nan=True), name
            log_p = g["log_p"][:]
            finite = np.isfinite(log_p)
            assert np.allclose(log_p[finite], lp[finite].sum(axis=1), rtol=1e-12), name
            assert np.all(A == A[0]), name  # the constant column
            assert len(np.unique(g["index"][:])) == n, name
        c = f["cifar10_test/A"].id.get_create_plist()
        assert [c.get_filter(i)[0] for i in range(c.get_nfilters())] == [h5py.h5z.FILTER_SHUFFLE,
                                                                          h5py.h5z.FILTER_DEFLATE]


DTYPE_CODES = {np.dtype("float32"): 1, np.dtype("float64"): 2, np.dtype("int64"): 3, np.dtype("uint8"): 4}


def manifest_crc(f):
    """The checkpoint's checksum_crc32, recomputed from the recipe in storage/README.md."""
    def i64(v):
        return struct.pack("<q", v)

    def text(b):
        return i64(len(b)) + b

    arrays = {}
    f["arrays"].visititems(lambda n, o: arrays.__setitem__(n.encode(), o) if isinstance(o, h5py.Dataset) else None)
    out = text(b"hierad-checkpoint") + i64(1) + i64(len(arrays))
    for name in sorted(arrays):
        d = arrays[name]
        out += text(name) + bytes([DTYPE_CODES[d.dtype]]) + i64(len(d.shape))
        out += b"".join(i64(n) for n in d.shape) + struct.pack("<I", int(d.attrs["crc32"]))
    meta = f["metadata"].attrs
    keys = sorted(k.encode() for k in meta.keys())
    out += i64(len(keys))
    for key in keys:
        v = meta[key.decode()]
        if isinstance(v, bytes):
            out += text(key) + bytes([2]) + text(v)
        elif np.issubdtype(np.asarray(v).dtype, np.integer):
            out += text(key) + bytes([0]) + i64(int(v))
        else:
            out += text(key) + bytes([1]) + struct.pack("<d", float(v))
    return zlib.crc32(out)


def check_checkpoint(path):
    with h5py.File(path, "r") as f:
        assert f.attrs["format"] == b"hierad-checkpoint"
        datasets = []
        f["arrays"].visititems(lambda name, obj: datasets.append(name) if isinstance(obj, h5py.Dataset) else None)
        assert len(datasets) == f.attrs["array_count"] == 7, datasets
        for name in datasets:
            d = f["arrays"][name]
            raw = np.ascontiguousarray(d[()]).tobytes()
            assert zlib.crc32(raw) == d.attrs["crc32"], name  # the documented per-array checksum
        meta = f["metadata"].attrs
        assert meta["step"] == 500 and meta["epoch"] == 50 and math.isclose(meta["lr"], 5e-4)
        assert meta["config"].decode().startswith("[train]")
        assert meta["note"] == b""
        assert manifest_crc(f) == f.attrs["checksum_crc32"], (manifest_crc(f), f.attrs["checksum_crc32"])
        w = f["arrays/model/scales.0.steps.0.actnorm.loc"]
        assert w.dtype == np.float32 and w.shape == (4, 16)
        assert w[0, 1] == np.float32(0.001) + np.float32(500)


def check_metrics(path):
    with h5py.File(path, "r") as f:
        t = f["train"][:]
        assert t.dtype.names == ("step", "loss", "bpd"), t.dtype.names
        assert list(t["step"]) == [1, 2, 3, 4, 5]
        assert t["loss"][3] == 25.0


def main():
    check_scores(sys.argv[1])
    check_checkpoint(sys.argv[2] + "/ckpt-00000500.h5")
    check_metrics(sys.argv[2] + "/metrics.h5")
    print("h5py reads the score file, checkpoint and metrics log as documented")


if __name__ == "__main__":
    main()
