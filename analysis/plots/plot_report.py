#!/usr/bin/python3
"""Plots for an analysis run: ROC curves, score histograms, bits/dim training curves, and a report.

    /usr/bin/python3 analysis/plots/plot_report.py --scores scores.csv --out report/
        [--metrics-log train_metrics.csv | --metrics-log metrics.h5[:train]]...
        [--tables DIR] [--hist-kinds log_p,ratio,...] [--roc-kinds ...]

Inputs
  --scores       the per-example scores CSV written by hierad's analysis (analysis/score_csv.hpp):
                 header "role,set,<kind>,<kind>,...", then one line per example; role is "in" for the
                 in-distribution test set or "ood"; values may be nan, inf, -inf. Higher = more
                 in-distribution. Exactly one in-distribution set per file.
  --metrics-log  a training metrics log: a CSV with a header, or hierad's HDF5 metrics file
                 (storage/metrics_log.hpp) as PATH[:TABLE] (TABLE defaults to "train"; read with h5py).
                 The x axis is the column "step"; every column whose name contains "bpd" is drawn.
                 May be given several times (e.g. the general model's and the fine-tuned model's).
  --tables       a folder with the tables of analysis/tables.hpp (metrics.csv, *_paper_*.md, ...);
                 the paper-layout tables are copied into the report and the others linked.

Outputs (PNG files and report.md in --out)
  roc_<in>_vs_<ood>.png   ROC curves of every --roc-kinds score (default: every score column),
                          in-distribution positive, with the AUROC in the legend.
  hist_<kind>.png         histograms of one score for the in-distribution set and every OOD set
                          (default kinds: log_p, ratio and every log_p_scale_<k>, i.e. each lp_k).
  bpd_<log>.png           bits/dim training curves.
  report.md               everything above, linked, plus the tables.

Non-finite scores: for ROC curves they are replaced by min(finite scores) - 1, i.e. counted as the
most anomalous value, exactly as the C++ metrics do (Note [non-finite scores], analysis/metrics.hpp);
histograms leave them out and say how many were left out in the legend.
"""
import argparse
import csv
import math
import os
import pathlib
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn import metrics  # noqa: E402

from curve_style import curve_style  # noqa: E402  (this folder: the script's own sys.path[0])

SCALE_COLUMN = re.compile(r"^log_p_scale_\d+$")


def safe_name(text):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "unnamed"


def read_scores(path):
    """Returns (kinds, {(role, set): {kind: np.array}})."""
    with open(path, newline="") as f:
        reader = csv.reader(f)
        try:
            header = next(reader)
        except StopIteration:
            sys.exit(f"{path}: empty file")
        if header[:2] != ["role", "set"] or len(header) < 3:
            sys.exit(f"{path}:1: header must be 'role,set,<score kind>,...', got {','.join(header)}")
        kinds = header[2:]
        blocks = {}
        for line_number, row in enumerate(reader, start=2):
            if len(row) != len(header):
                sys.exit(f"{path}:{line_number}: {len(row)} fields, header has {len(header)}")
            role, name = row[0], row[1]
            if role not in ("in", "ood"):
                sys.exit(f"{path}:{line_number}: role must be 'in' or 'ood', got '{role}'")
            try:
                values = [float(v) for v in row[2:]]
            except ValueError as error:
                sys.exit(f"{path}:{line_number}: {error}")
            blocks.setdefault((role, name), []).append(values)
    sets = {key: {kind: np.array([r[c] for r in rows]) for c, kind in enumerate(kinds)}
            for key, rows in blocks.items()}
    in_sets = [key for key in sets if key[0] == "in"]
    if len(in_sets) != 1:
        sys.exit(f"{path}: need exactly one in-distribution set (role 'in'), found {len(in_sets)}")
    return kinds, sets


def read_metrics_log(spec):
    """CSV with a header, or PATH.h5[:TABLE] via h5py. Returns (label, {column: np.array})."""
    path, _, table = spec.partition(":") if re.search(r"\.(h5|hdf5):", spec) else (spec, "", "")
    path = pathlib.Path(path)
    if path.suffix in (".h5", ".hdf5"):
        import h5py
        table = table or "train"
        with h5py.File(path, "r") as f:
            if table not in f:
                sys.exit(f"{path}: no table '{table}' (has {', '.join(f.keys())})")
            data = f[table][:]
        columns = {name: np.asarray(data[name], dtype=float) for name in data.dtype.names}
        return f"{path.stem}_{table}", columns
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        if not rows:
            sys.exit(f"{path}: no rows")
        columns = {name: np.array([float(r[name]) if r[name] != "" else math.nan for r in rows])
                   for name in reader.fieldnames}
    return path.stem, columns


def with_stand_in(values, all_values):
    finite = all_values[np.isfinite(all_values)]
    stand_in = finite.min() - 1.0 if finite.size else 0.0
    out = values.copy()
    out[~np.isfinite(out)] = stand_in
    return out


def plot_roc(in_name, in_scores, ood_name, ood_scores, kinds, out_dir):
    fig, ax = plt.subplots(figsize=(5.5, 5))
    for i, kind in enumerate(kinds):
        a, b = in_scores[kind], ood_scores[kind]
        both = np.concatenate([a, b])
        y = np.r_[np.ones(a.size), np.zeros(b.size)]
        s = with_stand_in(both, both)
        fpr, tpr, _ = metrics.roc_curve(y, s)
        auroc = metrics.auc(fpr, tpr)
        ax.plot(fpr, tpr, label=f"{kind} (AUROC {100 * auroc:.1f})", linewidth=1.2, **curve_style(i))
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=0.8)
    ax.set_xlabel(f"false positive rate ({ood_name} accepted)")
    ax.set_ylabel(f"true positive rate ({in_name} accepted)")
    ax.set_title(f"ROC: {in_name} (in-dist) vs {ood_name}")
    ax.legend(fontsize=7, loc="lower right")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.01)
    path = out_dir / f"roc_{safe_name(in_name)}_vs_{safe_name(ood_name)}.png"
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_histogram(kind, in_name, in_values, ood_sets, out_dir):
    series = [(f"{in_name} (in-dist)", in_values)] + [(name, values[kind]) for name, values in ood_sets]
    finite_all = np.concatenate([v[np.isfinite(v)] for _, v in series])
    if finite_all.size == 0:
        return None
    lo, hi = np.percentile(finite_all, [0.5, 99.5])
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    bins = np.linspace(lo, hi, 80)
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for label, values in series:
        finite = values[np.isfinite(values)]
        dropped = values.size - finite.size
        note = f", {dropped} non-finite left out" if dropped else ""
        ax.hist(np.clip(finite, lo, hi), bins=bins, density=True, histtype="step", linewidth=1.3,
                label=f"{label} (n={values.size}{note})")
    ax.set_xlabel(f"{kind} (higher = more in-distribution; tails clipped to 0.5-99.5 %)")
    ax.set_ylabel("density")
    ax.set_title(f"{kind}: {in_name} vs OOD sets")
    ax.legend(fontsize=7)
    path = out_dir / f"hist_{safe_name(kind)}.png"
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_bpd(label, columns, out_dir):
    if "step" not in columns:
        sys.exit(f"metrics log {label}: no 'step' column (has {', '.join(columns)})")
    bpd_columns = [c for c in columns if "bpd" in c]
    if not bpd_columns:
        sys.exit(f"metrics log {label}: no column with 'bpd' in its name (has {', '.join(columns)})")
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for c in bpd_columns:
        ok = np.isfinite(columns["step"]) & np.isfinite(columns[c])
        ax.plot(columns["step"][ok], columns[c][ok], label=c, linewidth=1.0)
    ax.set_xlabel("step")
    ax.set_ylabel("bits/dim")
    ax.set_title(f"training curve: {label}")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    path = out_dir / f"bpd_{safe_name(label)}.png"
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--scores", type=pathlib.Path, required=True)
    parser.add_argument("--out", type=pathlib.Path, required=True)
    parser.add_argument("--metrics-log", action="append", default=[])
    parser.add_argument("--tables", type=pathlib.Path)
    parser.add_argument("--hist-kinds", help="comma-separated score kinds to histogram")
    parser.add_argument("--roc-kinds", help="comma-separated score kinds for the ROC plots")
    args = parser.parse_args()

    kinds, sets = read_scores(args.scores)
    (_, in_name), = [key for key in sets if key[0] == "in"]
    in_scores = sets[("in", in_name)]
    ood = [(name, values) for (role, name), values in sets.items() if role == "ood"]
    roc_kinds = args.roc_kinds.split(",") if args.roc_kinds else kinds
    hist_kinds = (args.hist_kinds.split(",") if args.hist_kinds else
                  [k for k in kinds if k in ("log_p", "ratio") or SCALE_COLUMN.match(k)])
    for k in roc_kinds + hist_kinds:
        if k not in kinds:
            sys.exit(f"{args.scores}: no score column '{k}' (has {', '.join(kinds)})")
    args.out.mkdir(parents=True, exist_ok=True)

    lines = [f"# Anomaly-detection report: {in_name} (in-distribution)", "",
             f"Scores: `{args.scores}` ({sum(v[kinds[0]].size for v in sets.values())} examples, "
             f"{len(ood)} OOD set(s)). Higher scores mean more in-distribution; non-finite scores "
             "count as anomalous.", ""]
    if args.tables:
        lines += ["## Tables", ""]
        for table in sorted(args.tables.glob("*_paper_*.md")):
            lines += [table.read_text().rstrip(), ""]
        others = [p for p in sorted(args.tables.iterdir()) if p.suffix in (".md", ".csv", ".json")
                  and "_paper_" not in p.name]
        if others:
            links = [f"[{p.name}]({os.path.relpath(p, args.out)})" for p in others]
            lines += ["All metrics: " + ", ".join(links), ""]
    lines += ["## ROC curves", ""]
    for name, values in ood:
        path = plot_roc(in_name, in_scores, name, values, roc_kinds, args.out)
        lines += [f"![ROC {in_name} vs {name}]({path.name})", ""]
    lines += ["## Score histograms", ""]
    for kind in hist_kinds:
        path = plot_histogram(kind, in_name, in_scores[kind], ood, args.out)
        lines += [f"![{kind}]({path.name})" if path else f"{kind}: no finite values", ""]
    if args.metrics_log:
        lines += ["## Training curves (bits/dim)", ""]
        for spec in args.metrics_log:
            label, columns = read_metrics_log(spec)
            path = plot_bpd(label, columns, args.out)
            lines += [f"![bits/dim {label}]({path.name})", ""]
    report = args.out / "report.md"
    report.write_text("\n".join(lines))
    print(f"wrote {report} and {len(list(args.out.glob('*.png')))} PNG file(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
