#!/usr/bin/python3
"""Writes the golden metric values that tests/analysis/test_metrics_golden.cpp checks to 1e-12.

Run with Debian's python3 (its python3-sklearn is the reference):
    /usr/bin/python3 analysis/golden/make_golden.py            # rewrites the committed file
    /usr/bin/python3 analysis/golden/make_golden.py --check    # exits 1 if the file would change

Output: tests/analysis/golden/metrics_golden.txt, a line-oriented text file:
    # comment lines
    case <name>
    in <count> <score> <score> ...          in-distribution scores (higher = more in-dist)
    out <count> <score> ...                 OOD scores
    expect <metric name> <value>            one line per metric (names as in analysis/metrics.hpp)
    expect nonfinite_in <count>
    expect nonfinite_out <count>
    end
Scores and values are written with Python's repr (shortest string that round-trips a double), and
non-finite scores as nan, inf, -inf, which C's strtod reads back exactly.

Non-finite scores: sklearn rejects them, so every non-finite score (NaN, -inf AND +inf) is replaced
by the stand-in  min(all finite scores of both sides) - 1  before sklearn is called. That stand-in
is below every finite score and ties with the other replaced values, which is exactly the rule of
Note [non-finite scores] in analysis/metrics.hpp. (If no score is finite, the stand-in is 0.)

The metric definitions are those of Note [the metrics and their names] in analysis/metrics.hpp;
fpr95_ood_positive_openood is the code of OpenOOD v1.5 (openood/evaluators/metrics.py,
auc_and_fpr_recall), re-typed here with sklearn's defaults.
"""
import argparse
import math
import pathlib
import sys

import numpy as np
import sklearn
from sklearn import metrics

REPO = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = REPO / "tests" / "analysis" / "golden" / "metrics_golden.txt"
TPR_LEVEL = 0.95


def stand_in_for_nonfinite(in_scores, out_scores):
    both = np.concatenate([in_scores, out_scores])
    finite = both[np.isfinite(both)]
    return float(finite.min()) - 1.0 if finite.size else 0.0


def replace_nonfinite(scores, stand_in):
    scores = np.array(scores, dtype=np.float64)
    scores[~np.isfinite(scores)] = stand_in
    return scores


def expected_metrics(in_scores, out_scores):
    in_scores = np.asarray(in_scores, dtype=np.float64)
    out_scores = np.asarray(out_scores, dtype=np.float64)
    stand_in = stand_in_for_nonfinite(in_scores, out_scores)
    conf = np.concatenate([replace_nonfinite(in_scores, stand_in),
                           replace_nonfinite(out_scores, stand_in)])
    finite = np.isfinite(np.concatenate([in_scores, out_scores]))
    if not finite.all() and finite.any():  # the stand-in must be strictly below every finite score
        assert stand_in < conf[finite].min()
    id_indicator = np.r_[np.ones(in_scores.size, dtype=int), np.zeros(out_scores.size, dtype=int)]
    ood_indicator = 1 - id_indicator

    values = {}
    values["auroc"] = metrics.roc_auc_score(id_indicator, conf)
    values["aupr_in_ap"] = metrics.average_precision_score(id_indicator, conf)
    precision, recall, _ = metrics.precision_recall_curve(id_indicator, conf)
    values["aupr_in_trapz"] = metrics.auc(recall, precision)
    values["aupr_out_ap"] = metrics.average_precision_score(ood_indicator, -conf)
    precision, recall, _ = metrics.precision_recall_curve(ood_indicator, -conf)
    values["aupr_out_trapz"] = metrics.auc(recall, precision)
    # In-dist positive, every threshold counts.
    fpr, tpr, _ = metrics.roc_curve(id_indicator, conf, drop_intermediate=False)
    values["fpr95_id_positive"] = fpr[np.argmax(tpr >= TPR_LEVEL)]
    # OpenOOD v1.5: OOD positive, score -conf, roc_curve's default drop_intermediate=True.
    fpr, tpr, _ = metrics.roc_curve(ood_indicator, -conf)
    values["fpr95_ood_positive_openood"] = fpr[np.argmax(tpr >= TPR_LEVEL)]
    values = {k: float(v) for k, v in values.items()}
    values["nonfinite_in"] = int(np.sum(~np.isfinite(in_scores)))
    values["nonfinite_out"] = int(np.sum(~np.isfinite(out_scores)))
    return values


def cases():
    """(name, in_scores, out_scores). Fixed by hand or by a seeded generator."""
    yield "separated", [3.0, 4.0, 5.0], [0.0, 1.0, 2.0]
    yield "reversed", [0.0, 1.0], [2.0, 3.0, 4.0]
    yield "ties_small", [0.5, 0.5, 0.9, 0.1], [0.5, 0.1, 0.1]
    yield "ties_across_classes", [1.0, 2.0, 2.0, 3.0, 3.0, 3.0], [2.0, 3.0, 0.0, 2.0]
    yield "all_equal", [7.0] * 5, [7.0] * 3
    yield "single_each_in_higher", [1.0], [0.0]
    yield "single_each_tied", [0.25], [0.25]
    yield "single_each_out_higher", [-2.0], [5.0]
    yield "single_in_many_out", [0.3], [0.1, 0.2, 0.3, 0.4, 0.5]
    yield "many_in_single_out", [0.1, 0.2, 0.3, 0.4, 0.5], [0.35]
    yield "negative_and_zero", [-0.0, -1.5, 2.0, 0.0], [0.0, -0.0, -3.0]
    # Note [drop_intermediate]: 20 tied pairs; every threshold -> 0.95, OpenOOD's curve -> 1.0.
    yield "tied_pairs_drop_intermediate", [float(v) for v in range(20)], [float(v) for v in range(20)]
    yield "nan_in", [1.0, float("nan"), 3.0, 2.5], [0.5, 2.0, 1.5]
    yield "inf_both_sides", [float("inf"), 4.0, 5.0, float("-inf")], [float("-inf"), 1.0, float("nan"), 6.0]
    yield "nonfinite_only_out", [1.0, 2.0], [float("nan"), float("nan"), 1.5]
    yield "all_nonfinite", [float("nan"), float("inf")], [float("-inf")]
    yield "huge_and_tiny", [1e300, -1e300, 5e-324, 1e-300], [-5e-324, 1e299, -1e-300]

    rng = np.random.default_rng(20200610)
    # Random, with many ties (scores rounded to one decimal) and unequal sizes.
    for i, (n_in, n_out, shift) in enumerate([(400, 300, 0.5), (257, 1000, -0.2), (1000, 1000, 0.0)]):
        a = np.round(rng.normal(shift, 1.0, n_in), 1)
        b = np.round(rng.normal(0.0, 1.0, n_out), 1)
        yield f"random_ties_{i}", a.tolist(), b.tolist()
    # Random, nearly continuous (6 decimals keep the file small and leave only a few ties). One side
    # of each case has more than 4096 scores, so the radix-sort path of the C++ code is exercised.
    for i, (n_in, n_out, shift) in enumerate([(4500, 600, 0.8), (700, 4200, 0.1)]):
        a = np.round(rng.normal(shift, 1.0, n_in), 6)
        b = np.round(rng.normal(0.0, 1.3, n_out), 6)
        yield f"random_continuous_{i}", a.tolist(), b.tolist()
    # Random with a sprinkle of non-finite values on both sides (radix path on the in-dist side).
    a = np.round(rng.normal(1.0, 1.0, 4200), 6)
    b = np.round(rng.normal(0.0, 1.0, 800), 6)
    for arr, count in ((a, 30), (b, 21)):
        idx = rng.choice(arr.size, count, replace=False)
        arr[idx[: count // 3]] = np.nan
        arr[idx[count // 3: 2 * count // 3]] = np.inf
        arr[idx[2 * count // 3:]] = -np.inf
    yield "random_nonfinite", a.tolist(), b.tolist()


def number(x):
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return repr(float(x))


def render():
    lines = [
        "# Golden anomaly-detection metrics; generated by analysis/golden/make_golden.py, do not edit.",
        f"# scikit-learn {sklearn.__version__}, numpy {np.__version__}, python {sys.version.split()[0]}",
        "# Non-finite scores were replaced by min(finite scores) - 1 before calling sklearn.",
    ]
    for name, in_scores, out_scores in cases():
        values = expected_metrics(in_scores, out_scores)
        lines.append(f"case {name}")
        lines.append(f"in {len(in_scores)} " + " ".join(number(v) for v in in_scores))
        lines.append(f"out {len(out_scores)} " + " ".join(number(v) for v in out_scores))
        for key, value in values.items():
            lines.append(f"expect {key} {value if isinstance(value, int) else number(value)}")
        lines.append("end")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="compare with the committed file instead of writing it")
    parser.add_argument("--output", type=pathlib.Path, default=OUTPUT)
    args = parser.parse_args()
    text = render()
    if args.check:
        same = args.output.exists() and args.output.read_text() == text
        print(f"{args.output}: {'up to date' if same else 'DIFFERS'}")
        return 0 if same else 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(f"wrote {args.output} ({text.count('case ')} cases)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
