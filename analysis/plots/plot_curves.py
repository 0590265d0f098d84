#!/usr/bin/python3
"""Training curves of a sweep's runs, one set of plots per stage (for `hierad report`).

    /usr/bin/python3 analysis/plots/plot_curves.py --index runs.json --out DIR

--index: a JSON list of {"run": name, "stage": stage, "metrics": path of the run's metrics.h5}
(storage/metrics_log.hpp: tables "train" with step, bpd, skipped_steps, comm_fraction, ... and
"validation" with step, bpd). Writes, per stage S (non-alphanumerics replaced by '-'):
  S_bpd.png      training bits/dim of every run of the stage (lines), validation bits/dim (markers)
  S_skipped.png  cumulative skipped steps (non-finite loss or gradients)
  S_comm.png     share of the step time spent waiting for gradient communication
Every run has its own colour and line style. Needs matplotlib and h5py (Debian python3-*).
"""
import argparse
import json
import pathlib
import re

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from curve_style import curve_style  # noqa: E402  (this folder)


def table(path, name):
    with h5py.File(path, "r") as f:
        if name not in f:
            return None
        data = f[name][...]
        return {field: data[field] for field in data.dtype.names} if len(data) else None


def plot_stage(stage, runs, out):
    slug = re.sub(r"[^0-9A-Za-z]", "-", stage)
    series = [(r["run"], table(r["metrics"], "train"), table(r["metrics"], "validation")) for r in runs]
    series = [s for s in series if s[1] is not None]
    if not series:
        return
    for kind, column, ylabel in (("bpd", "bpd", "bits/dim"), ("skipped", "skipped_steps", "skipped steps"),
                                 ("comm", "comm_fraction", "communication share of step time")):
        fig, ax = plt.subplots(figsize=(6.5, 4))
        for i, (name, train, validation) in enumerate(series):
            if column not in train:
                continue
            s = curve_style(i)
            ax.plot(train["step"], train[column], label=name, linewidth=1.2, **s)
            if kind == "bpd" and validation is not None:
                ax.plot(validation["step"], validation["bpd"], marker="o", linestyle="none", color=s["color"],
                        markersize=4, label=f"{name} (validation)")
        ax.set_xlabel("step")
        ax.set_ylabel(ylabel)
        ax.set_title(f"{stage}: {ylabel}")
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        fig.savefig(out / f"{slug}_{kind}.png", dpi=100)
        plt.close(fig)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    runs = json.loads(pathlib.Path(args.index).read_text())
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stages = {}
    for run in runs:
        stages.setdefault(run["stage"], []).append(run)
    for stage, members in stages.items():
        plot_stage(stage, members, out)


if __name__ == "__main__":
    main()
