#!/usr/bin/python3
"""AUROC speed: hierad's bench_auroc against scikit-learn's roc_auc_score, same scores, same run.

    /usr/bin/python3 tests/bench/bench_auroc.py [--binary build/tests/bench/bench_auroc]
                                                [--n 10000000] [--repeat 3] [--sklearn-repeat 1]

Draws n in-distribution scores ~ N(1, 1) and n OOD scores ~ N(0, 1), rounded to float32 like stored
log-likelihoods (so there are ties), writes them as raw float64 files, runs the C++ benchmark on
those files, then times sklearn.metrics.roc_auc_score on the same numbers (labels and the
concatenated score vector are built outside the timed region). Prints both values, their difference
and the speed ratio. Exit status 1 if the values differ by more than 1e-12 or the C++ self-check
failed.
"""
import argparse
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np
import sklearn
from sklearn.metrics import roc_auc_score

REPO = pathlib.Path(__file__).resolve().parents[2]


def find_binary(explicit):
    if explicit:
        return pathlib.Path(explicit)
    candidates = sorted(REPO.glob("build*/tests/bench/bench_auroc"), key=lambda p: p.stat().st_mtime)
    if not candidates:
        sys.exit("bench_auroc.py: no build*/tests/bench/bench_auroc found; build it or pass --binary")
    return candidates[-1]


def parse_output(text):
    fields = {}
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        fields[key] = value.strip()
    return fields


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", help="path of bench_auroc (default: newest build*/tests/bench/bench_auroc)")
    parser.add_argument("--n", type=int, default=10_000_000, help="scores per side")
    parser.add_argument("--repeat", type=int, default=3, help="timed calls of the C++ AUROC")
    parser.add_argument("--sklearn-repeat", type=int, default=1, help="timed calls of roc_auc_score")
    parser.add_argument("--seed", type=int, default=2020)
    args = parser.parse_args()
    binary = find_binary(args.binary)

    rng = np.random.default_rng(args.seed)
    in_scores = rng.normal(1.0, 1.0, args.n).astype(np.float32).astype(np.float64)
    out_scores = rng.normal(0.0, 1.0, args.n).astype(np.float32).astype(np.float64)

    with tempfile.TemporaryDirectory(prefix="bench_auroc_") as tmp:
        in_path = pathlib.Path(tmp) / "in.f64"
        out_path = pathlib.Path(tmp) / "out.f64"
        in_scores.tofile(in_path)   # raw native-endian float64; the benchmark reads the same
        out_scores.tofile(out_path)
        run = subprocess.run([str(binary), "--in", str(in_path), "--out", str(out_path),
                              "--repeat", str(args.repeat)], capture_output=True, text=True)
    print(run.stdout, end="")
    if run.returncode != 0:
        print(run.stderr, end="", file=sys.stderr)
        print(f"bench_auroc exited with {run.returncode}")
        return 1
    cpp = parse_output(run.stdout)
    cpp_value = float(cpp["auroc"])
    cpp_seconds = float(cpp["seconds_best"])

    labels = np.r_[np.ones(args.n), np.zeros(args.n)]
    scores = np.r_[in_scores, out_scores]
    sk_times = []
    for _ in range(args.sklearn_repeat):
        start = time.perf_counter()
        sk_value = roc_auc_score(labels, scores)
        sk_times.append(time.perf_counter() - start)
    sk_seconds = min(sk_times)

    diff = abs(cpp_value - sk_value)
    same = diff <= 1e-12
    ratio = sk_seconds / cpp_seconds
    print(f"sklearn         {sk_value!r} (roc_auc_score, scikit-learn {sklearn.__version__}, "
          f"best of {args.sklearn_repeat}: {sk_seconds:.3f} s)")
    print(f"same value      |hierad - sklearn| = {diff:.3g} : {'OK' if same else 'FAILED'}")
    print(f"speed ratio     {ratio:.1f}x faster than sklearn "
          f"({cpp_seconds:.3f} s vs {sk_seconds:.3f} s; target >= 3x: {'met' if ratio >= 3 else 'NOT met'})")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
