#!/usr/bin/env python3
"""Compares hierad outputs of two devices within a tolerance (compare_score_files compares bit for
bit; a GPU and a CPU agree only to rounding). Prints one line per quantity and a verdict; exit 1
when a difference exceeds its tolerance.

    compare_close.py scores A.h5 B.h5 [--atol-nats 1e-2]     # every set; pairs examples by index
    compare_close.py metrics A/metrics.h5 B/metrics.h5 [--atol-bpd 1e-3]   # the /train table
"""
import argparse
import sys

import h5py
import numpy as np


def scores(a_path, b_path, atol):
    ok, worst_of = True, {}
    with h5py.File(a_path, "r") as a, h5py.File(b_path, "r") as b:
        sets = sorted(k for k in a if isinstance(a[k], h5py.Group))
        if sets != sorted(k for k in b if isinstance(b[k], h5py.Group)):
            print(f"different sets: {sets} vs {sorted(b)}")
            return False
        for name in sets:
            ia, ib = a[name]["index"][:], b[name]["index"][:]
            if not np.array_equal(np.sort(ia), np.sort(ib)):
                print(f"{name}: different examples")
                ok = False
                continue
            oa, ob = np.argsort(ia), np.argsort(ib)
            for term in ("lp", "F", "A", "G", "log_p", "bpd"):
                x, y = a[name][term][:][oa], b[name][term][:][ob]
                finite = np.isfinite(x) & np.isfinite(y)
                same_nonfinite = np.array_equal(np.isfinite(x), np.isfinite(y))
                d = np.abs(x - y)[finite]
                worst = float(d.max()) if d.size else 0.0
                tol = atol / 100 if term == "bpd" else atol
                good = same_nonfinite and worst <= tol
                ok &= good
                worst_of[term] = max(worst_of.get(term, 0.0), worst)
                print(f"{name:>16} {term:>5}: max |d| = {worst:.3g} over {x.size} values "
                      f"(tolerance {tol:g}){'' if good else '  EXCEEDED'}")
    print("FIGURE scores, worst over all sets: " + ", ".join(f"{t} {w:.3g}" for t, w in worst_of.items()) +
          f" (nats; bpd in bits/dim; tolerance {atol:g} nats)")
    return ok


def metrics(a_path, b_path, atol):
    with h5py.File(a_path, "r") as a, h5py.File(b_path, "r") as b:
        ta, tb = a["train"][:], b["train"][:]
    steps = np.intersect1d(ta["step"], tb["step"])
    if steps.size == 0:
        print("no common logged steps")
        return False
    x = ta["bpd"][np.isin(ta["step"], steps)]
    y = tb["bpd"][np.isin(tb["step"], steps)]
    d = np.abs(x - y)
    worst = int(np.argmax(d))
    good = bool(d.max() <= atol)
    print(f"FIGURE train bits/dim at {steps.size} steps: max |d| = {d.max():.3g} at step {int(steps[worst])} "
          f"({x[worst]:.5f} vs {y[worst]:.5f}; tolerance {atol:g}){'' if good else '  EXCEEDED'}")
    return good


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kind", choices=("scores", "metrics"))
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--atol-nats", type=float, default=1e-2)
    ap.add_argument("--atol-bpd", type=float, default=1e-3)
    args = ap.parse_args()
    ok = scores(args.a, args.b, args.atol_nats) if args.kind == "scores" else metrics(args.a, args.b, args.atol_bpd)
    print("CLOSE" if ok else "DIFFERENT")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
