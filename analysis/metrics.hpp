// Anomaly-detection metrics over two sets of scores (../shared/docs/method.md §7).
//
// Conventions shared by every function here:
//   - `in` holds the in-distribution examples' scores, `out` the OOD examples' scores, and a HIGHER
//     score means MORE in-distribution (method.md §4).
//   - Every function is a pure free function, O(n log n) at worst (sorting; the sort used here is
//     a linear-time radix sort, see sorted_scores.hpp), and returns a MetricResult: the value plus
//     the number of non-finite scores on each side, so that they are reported, never hidden.
//   - Each side needs at least one score; otherwise std::invalid_argument naming the metric.
//   - Every value equals scikit-learn's on the same input (Debian's python3-sklearn 1.2.1), checked
//     to 1e-12 by tests/analysis/test_metrics_golden.cpp on the vectors of analysis/golden/.
//
// Note [non-finite scores]
// A NaN, -inf or +inf score is treated as LOWER than every finite score (the most OOD-like value
// there is), and all non-finite scores tie with each other. Why +inf too: a score that overflowed
// says that the model broke on that input, not that the input is very typical; counting it as
// anomalous is the conservative reading that method.md §4 asks for ("non-finite likelihoods are
// counted as anomalous"). Consequence: a non-finite in-distribution score is a sure miss and a
// non-finite OOD score a sure hit (up to ties with other non-finite scores).
// scikit-learn rejects non-finite input, so the golden values replace every non-finite score by the
// stand-in (smallest finite score of both sides) - 1 before calling it; that stand-in has exactly
// the ordering above (see analysis/golden/make_golden.py).
//
// Note [the metrics and their names]
// Name in tables                 | Definition (P = positives, thresholds = distinct scores)
// auroc                          | P(s_in > s_out) + 1/2 P(s_in = s_out) (Mann-Whitney U / (n_in n_out));
//                                | = sklearn roc_auc_score(y = in-dist, s). Symmetric in the convention.
// aupr_in_ap                     | in-dist positive, score s: sklearn average_precision_score, i.e.
//                                | sum_j (R_j - R_{j-1}) P_j over thresholds, high to low (step rule).
// aupr_in_trapz                  | in-dist positive, score s: sklearn auc(recall, precision) over
//                                | precision_recall_curve, i.e. the trapezoid rule over the same points
//                                | plus (recall 0, precision 1); what OpenOOD v1.5 reports as AUPR_IN.
// aupr_out_ap / aupr_out_trapz   | the same with OOD positive and score -s (OpenOOD's AUPR_OUT is the
//                                | trapezoid one).
// fpr95_id_positive              | in-dist positive: take the highest threshold t with
//                                | #{in >= t} / n_in >= 0.95; report #{out >= t} / n_out (the fraction
//                                | of OOD accepted as in-dist). = sklearn roc_curve(y = in-dist, s,
//                                | drop_intermediate=False), fpr[argmax(tpr >= 0.95)].
// fpr95_ood_positive_openood     | OOD positive, exactly as OpenOOD v1.5 (openood/evaluators/metrics.py,
//                                | auc_and_fpr_recall): fpr, tpr = sklearn roc_curve(ood_indicator, -s)
//                                | with its default drop_intermediate=True; fpr[argmax(tpr >= 0.95)].
//                                | So: the fraction of in-dist examples flagged as OOD at the first
//                                | KEPT ROC point where at least 95 % of OOD examples are flagged.
//                                | See Note [drop_intermediate] for when "kept" matters.
//
// Note [drop_intermediate]
// sklearn's roc_curve (default drop_intermediate=True) removes every interior ROC point whose two
// neighbouring segments are collinear in the sense that both count increments repeat: point j (one
// per distinct threshold, before the (0, 0) point is prepended; the first and last always stay) is
// dropped when group j+1 has the same (#positives, #negatives) as group j. argmax(tpr >= 0.95) then
// may land on a later point with a larger FPR. With untied continuous scores this never changes the
// answer (a dropped crossing point is followed by a pure-positive step, so the FPR stays), but with
// ties it can: 20 tied pairs (one in-dist and one OOD score per value) give 0.95 when every threshold
// counts and 1.0 after dropping. fpr95_ood_positive_openood reproduces the drop on purpose (so our
// numbers equal OpenOOD's); fpr95_id_positive uses every threshold.
//
// Precision/recall follow sklearn exactly: precision = TP / (TP + FP), recall = TP / P (no ps == 0
// case arises, as every threshold is an observed score), and sklearn 1.2.1 keeps the whole curve
// (old releases cut it where recall first reaches 1, which changes the trapezoid areas).
#pragma once

#include "analysis/score_span.hpp"
#include "analysis/sorted_scores.hpp"

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace hierad::analysis {

struct MetricResult {
  double value = 0.0;
  std::size_t nonfinite_in = 0;   // non-finite in-distribution scores (counted as most anomalous)
  std::size_t nonfinite_out = 0;  // non-finite OOD scores
};

enum class Metric {
  Auroc,
  AuprInAveragePrecision,
  AuprInTrapezoid,
  AuprOutAveragePrecision,
  AuprOutTrapezoid,
  Fpr95IdPositive,
  Fpr95OodPositiveOpenOod,
};
inline constexpr std::array<Metric, 7> kAllMetrics = {
    Metric::Auroc,           Metric::AuprInAveragePrecision,  Metric::AuprInTrapezoid,
    Metric::AuprOutAveragePrecision, Metric::AuprOutTrapezoid, Metric::Fpr95IdPositive,
    Metric::Fpr95OodPositiveOpenOod};

// The stable names of Note [the metrics and their names] ("auroc", "aupr_in_ap", ...).
std::string_view metric_name(Metric metric);
// Inverse of metric_name; std::invalid_argument listing the known names for an unknown one.
Metric metric_from_name(std::string_view name);

// Which class is "positive" for FPR at a TPR level (Note [the metrics and their names]).
enum class FprConvention {
  IdPositive,          // every threshold counts
  OodPositiveOpenOod,  // OpenOOD v1.5, with sklearn's drop_intermediate (Note [drop_intermediate])
};

// --- On raw scores: each call sorts both sides (linear-time radix sort).
MetricResult auroc(ScoreSpan in, ScoreSpan out);
MetricResult aupr_in_average_precision(ScoreSpan in, ScoreSpan out);
MetricResult aupr_in_trapezoid(ScoreSpan in, ScoreSpan out);
MetricResult aupr_out_average_precision(ScoreSpan in, ScoreSpan out);
MetricResult aupr_out_trapezoid(ScoreSpan in, ScoreSpan out);
// `tpr_level` in (0, 1]; the tables use 0.95 (fpr95_*).
MetricResult fpr_at_tpr(ScoreSpan in, ScoreSpan out, double tpr_level, FprConvention convention);
MetricResult compute_metric(Metric metric, ScoreSpan in, ScoreSpan out);

// --- On scores sorted once (what a table of many metrics should use).
MetricResult auroc(const SortedScores& in, const SortedScores& out);
MetricResult aupr_in_average_precision(const SortedScores& in, const SortedScores& out);
MetricResult aupr_in_trapezoid(const SortedScores& in, const SortedScores& out);
MetricResult aupr_out_average_precision(const SortedScores& in, const SortedScores& out);
MetricResult aupr_out_trapezoid(const SortedScores& in, const SortedScores& out);
MetricResult fpr_at_tpr(const SortedScores& in, const SortedScores& out, double tpr_level,
                        FprConvention convention);
MetricResult compute_metric(Metric metric, const SortedScores& in, const SortedScores& out);

// Every metric of kAllMetrics, in that order, sorting each side once.
std::array<MetricResult, kAllMetrics.size()> compute_all_metrics(ScoreSpan in, ScoreSpan out);

}  // namespace hierad::analysis
