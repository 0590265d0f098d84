// The metrics on hand-computed cases and against brute-force definitions written independently of
// the threshold walk (pairwise counts, per-example precisions, explicit ROC point lists).
#include "analysis/metrics.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

namespace hierad::analysis {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
using Scores = std::vector<double>;

// --- Brute force, straight from the definitions (O(n^2)). The brute-force functions take "ranked"
//     scores: Note [non-finite scores] applied by mapping every non-finite score to -inf, which
//     compares below every finite score and equal to itself.
Scores ranked(const Scores& s) {
  Scores r;
  for (const double x : s) r.push_back(std::isfinite(x) ? x : -kInf);
  return r;
}
// Ranked scores of the OOD-positive view: -s, so non-finite scores become +inf (the top).
Scores negated_ranked(const Scores& s) {
  Scores r;
  for (const double x : ranked(s)) r.push_back(-x);
  return r;
}

double brute_auroc(const Scores& in, const Scores& out) {
  double u = 0.0;
  for (const double a : in) {
    for (const double b : out) {
      u += a > b ? 1.0 : (a == b ? 0.5 : 0.0);
    }
  }
  return u / (static_cast<double>(in.size()) * static_cast<double>(out.size()));
}

// AP = mean over positives of precision at that positive's own score (ties: everything >= it).
double brute_average_precision(const Scores& pos, const Scores& neg) {
  double total = 0.0;
  for (const double p : pos) {
    double tp = 0, fp = 0;
    for (const double q : pos) tp += q >= p;
    for (const double q : neg) fp += q >= p;
    total += tp / (tp + fp);
  }
  return total / static_cast<double>(pos.size());
}

// ROC points (fp, tp) per distinct threshold of `pos` vs `neg`, scores high to low.
struct Roc {
  std::vector<double> fp, tp;
};
Roc brute_roc(const Scores& pos, const Scores& neg) {
  std::vector<double> thresholds;
  for (const double s : pos) thresholds.push_back(s);
  for (const double s : neg) thresholds.push_back(s);
  std::sort(thresholds.rbegin(), thresholds.rend());
  thresholds.erase(std::unique(thresholds.begin(), thresholds.end()), thresholds.end());
  Roc roc;
  for (const double t : thresholds) {
    double tp = 0, fp = 0;
    for (const double s : pos) tp += s >= t;
    for (const double s : neg) fp += s >= t;
    roc.tp.push_back(tp);
    roc.fp.push_back(fp);
  }
  return roc;
}

// sklearn roc_curve's drop_intermediate, written as sklearn states it: keep the ends and every point
// where the second difference of fps or tps is non-zero.
Roc drop_intermediate(const Roc& roc) {
  const std::size_t m = roc.tp.size();
  if (m <= 2) return roc;
  Roc kept;
  for (std::size_t i = 0; i < m; ++i) {
    const bool keep = i == 0 || i == m - 1 ||
                      roc.fp[i + 1] - 2 * roc.fp[i] + roc.fp[i - 1] != 0 ||
                      roc.tp[i + 1] - 2 * roc.tp[i] + roc.tp[i - 1] != 0;
    if (keep) {
      kept.tp.push_back(roc.tp[i]);
      kept.fp.push_back(roc.fp[i]);
    }
  }
  return kept;
}

double fpr_at_first_tpr(const Roc& roc, double p, double n, double level) {
  for (std::size_t i = 0; i < roc.tp.size(); ++i) {
    if (roc.tp[i] / p >= level) return roc.fp[i] / n;
  }
  ADD_FAILURE() << "TPR never reached the level";
  return -1.0;
}

Scores random_scores(std::mt19937_64& rng, std::size_t n, double shift, double grid, double nonfinite_rate) {
  std::normal_distribution<double> normal(shift, 1.0);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Scores s(n);
  for (auto& x : s) {
    x = std::round(normal(rng) / grid) * grid;
    const double r = u(rng);
    if (r < nonfinite_rate / 3) x = kNaN;
    else if (r < 2 * nonfinite_rate / 3) x = kInf;
    else if (r < nonfinite_rate) x = -kInf;
  }
  return s;
}

// --- Hand-computed cases.
TEST(Auroc, HandComputedCases) {
  EXPECT_DOUBLE_EQ(auroc(Scores{3, 4, 5}, Scores{0, 1, 2}).value, 1.0);
  EXPECT_DOUBLE_EQ(auroc(Scores{0, 1}, Scores{2, 3, 4}).value, 0.0);
  EXPECT_DOUBLE_EQ(auroc(Scores{7, 7, 7}, Scores{7, 7}).value, 0.5);
  // 0.9 beats all 3; each 0.5 beats two 0.1 and ties one 0.5 (2.5); 0.1 ties two 0.1 (1): 9 / 12.
  EXPECT_DOUBLE_EQ(auroc(Scores{0.5, 0.5, 0.9, 0.1}, Scores{0.5, 0.1, 0.1}).value, 0.75);
  EXPECT_DOUBLE_EQ(auroc(Scores{-0.0}, Scores{0.0}).value, 0.5);  // -0 ties with +0
}

TEST(Aupr, HandComputedCase) {
  const Scores in{0.5, 0.5, 0.9, 0.1}, out{0.5, 0.1, 0.1};
  // In-dist positive, thresholds 0.9, 0.5, 0.1: (TP, FP) = (1, 0), (3, 1), (4, 3);
  // recall 1/4, 3/4, 1; precision 1, 3/4, 4/7.
  EXPECT_DOUBLE_EQ(aupr_in_average_precision(in, out).value, 0.25 * 1 + 0.5 * 0.75 + 0.25 * 4.0 / 7);
  EXPECT_DOUBLE_EQ(aupr_in_trapezoid(in, out).value,
                   0.25 * (1 + 1) / 2 + 0.5 * (1 + 0.75) / 2 + 0.25 * (0.75 + 4.0 / 7) / 2);
  // OOD positive, -s thresholds -0.1, -0.5, -0.9: (TP, FP) = (2, 1), (3, 3), (3, 4);
  // recall 2/3, 1, 1; precision 2/3, 1/2, 3/7.
  EXPECT_DOUBLE_EQ(aupr_out_average_precision(in, out).value, 2.0 / 3 * 2.0 / 3 + 1.0 / 3 * 0.5);
  EXPECT_DOUBLE_EQ(aupr_out_trapezoid(in, out).value,
                   2.0 / 3 * (1 + 2.0 / 3) / 2 + 1.0 / 3 * (2.0 / 3 + 0.5) / 2 + 0.0);
}

TEST(FprAtTpr, TiedPairsShowTheOpenOodDropIntermediateEffect) {
  // Note [drop_intermediate]: 20 values, each held by one in-dist and one OOD score.
  Scores in, out;
  for (int v = 0; v < 20; ++v) in.push_back(v), out.push_back(v);
  EXPECT_DOUBLE_EQ(fpr_at_tpr(in, out, 0.95, FprConvention::IdPositive).value, 0.95);
  EXPECT_DOUBLE_EQ(fpr_at_tpr(in, out, 0.95, FprConvention::OodPositiveOpenOod).value, 1.0);
}

TEST(FprAtTpr, HandComputedSeparatedAndReversed) {
  EXPECT_DOUBLE_EQ(fpr_at_tpr(Scores{3, 4, 5}, Scores{0, 1, 2}, 0.95, FprConvention::IdPositive).value, 0.0);
  EXPECT_DOUBLE_EQ(fpr_at_tpr(Scores{3, 4, 5}, Scores{0, 1, 2}, 0.95, FprConvention::OodPositiveOpenOod).value, 0.0);
  // In-dist {1..10}, OOD {0, 5.5}: TPR >= 0.95 needs all 10 in-dist (threshold 1): OOD 5.5 passes.
  Scores in{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_DOUBLE_EQ(fpr_at_tpr(in, Scores{0, 5.5}, 0.95, FprConvention::IdPositive).value, 0.5);
  // At level 0.5 the threshold is 6 (5 of 10): nothing of the OOD side passes.
  EXPECT_DOUBLE_EQ(fpr_at_tpr(in, Scores{0, 5.5}, 0.5, FprConvention::IdPositive).value, 0.0);
  // OOD positive: both OOD flagged needs threshold -s >= -5.5, i.e. s <= 5.5: 5 in-dist flagged.
  EXPECT_DOUBLE_EQ(fpr_at_tpr(in, Scores{0, 5.5}, 0.95, FprConvention::OodPositiveOpenOod).value, 0.5);
}

TEST(NonFinite, CountAsTheMostAnomalousAndAreReported) {
  const MetricResult r = auroc(Scores{kNaN, 1.0}, Scores{0.0, kInf, -kInf});
  // NaN (in) loses to 0 and ties with inf, -inf (1 of 3); 1.0 beats all three (3): 4 / 6.
  EXPECT_DOUBLE_EQ(r.value, 4.0 / 6.0);
  EXPECT_EQ(r.nonfinite_in, 1u);
  EXPECT_EQ(r.nonfinite_out, 2u);
  EXPECT_DOUBLE_EQ(auroc(Scores{kInf}, Scores{-1e300}).value, 0.0);  // +inf is not "very typical"
  EXPECT_DOUBLE_EQ(auroc(Scores{kNaN, kInf}, Scores{-kInf}).value, 0.5);
}

TEST(Errors, EmptySidesAndBadLevelsAndUnknownNamesThrow) {
  EXPECT_THROW(auroc(Scores{}, Scores{1.0}), std::invalid_argument);
  EXPECT_THROW(aupr_out_trapezoid(Scores{1.0}, Scores{}), std::invalid_argument);
  EXPECT_THROW(fpr_at_tpr(Scores{1.0}, Scores{0.0}, 0.0, FprConvention::IdPositive), std::invalid_argument);
  EXPECT_THROW(fpr_at_tpr(Scores{1.0}, Scores{0.0}, 1.5, FprConvention::IdPositive), std::invalid_argument);
  EXPECT_THROW(fpr_at_tpr(Scores{1.0}, Scores{0.0}, kNaN, FprConvention::IdPositive), std::invalid_argument);
  try {
    metric_from_name("auc");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("unknown metric 'auc'"));
    EXPECT_THAT(e.what(), ::testing::HasSubstr("fpr95_ood_positive_openood"));
  }
}

TEST(Names, RoundTripAndAreDistinct) {
  std::vector<std::string> seen;
  for (const Metric m : kAllMetrics) {
    EXPECT_EQ(metric_from_name(metric_name(m)), m);
    seen.emplace_back(metric_name(m));
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end());
}

// --- Against brute force on random inputs with ties and non-finite values.
TEST(BruteForce, EveryMetricOnRandomTiedInputs) {
  std::mt19937_64 rng(2020);
  int checked = 0;
  for (const auto& [n_in, n_out, grid, nonfinite] :
       std::vector<std::tuple<std::size_t, std::size_t, double, double>>{
           {1, 1, 0.5, 0.0}, {3, 50, 0.5, 0.0}, {200, 150, 0.25, 0.0}, {300, 90, 0.1, 0.05},
           {5000, 400, 0.01, 0.01}, {120, 4500, 0.05, 0.02}}) {
    const Scores in = random_scores(rng, n_in, 0.7, grid, nonfinite);
    const Scores out = random_scores(rng, n_out, 0.0, grid, nonfinite);
    const auto all = compute_all_metrics(in, out);
    SCOPED_TRACE(testing::Message() << "n_in " << n_in << ", n_out " << n_out);

    const Scores r_in = ranked(in), r_out = ranked(out);
    const Scores n_in_s = negated_ranked(in), n_out_s = negated_ranked(out);
    EXPECT_NEAR(all[0].value, brute_auroc(r_in, r_out), 1e-12);
    EXPECT_NEAR(all[1].value, brute_average_precision(r_in, r_out), 1e-12);
    EXPECT_NEAR(all[3].value, brute_average_precision(n_out_s, n_in_s), 1e-12);
    const double p_in = static_cast<double>(n_in), p_out = static_cast<double>(n_out);
    EXPECT_DOUBLE_EQ(all[5].value, fpr_at_first_tpr(brute_roc(r_in, r_out), p_in, p_out, 0.95));
    EXPECT_DOUBLE_EQ(all[6].value,
                     fpr_at_first_tpr(drop_intermediate(brute_roc(n_out_s, n_in_s)), p_out, p_in, 0.95));
    // Trapezoid over the brute-force PR points, (recall 0, precision 1) first.
    for (const bool in_positive : {true, false}) {
      const Roc roc = in_positive ? brute_roc(r_in, r_out) : brute_roc(n_out_s, n_in_s);
      const double p = in_positive ? p_in : p_out;
      double area = 0, r0 = 0, pr0 = 1;
      for (std::size_t i = 0; i < roc.tp.size(); ++i) {
        const double r = roc.tp[i] / p, pr = roc.tp[i] / (roc.tp[i] + roc.fp[i]);
        area += (r - r0) * (pr + pr0) / 2;
        r0 = r, pr0 = pr;
      }
      EXPECT_NEAR(all[in_positive ? 2 : 4].value, area, 1e-12);
    }
    std::size_t nf_in = 0, nf_out = 0;
    for (const double s : in) nf_in += !std::isfinite(s);
    for (const double s : out) nf_out += !std::isfinite(s);
    for (const MetricResult& r : all) {
      EXPECT_EQ(r.nonfinite_in, nf_in);
      EXPECT_EQ(r.nonfinite_out, nf_out);
    }
    ++checked;
  }
  EXPECT_EQ(checked, 6);
}

TEST(Consistency, SpanSortedAndAllAgreeExactly) {
  std::mt19937_64 rng(5);
  const Scores in = random_scores(rng, 6000, 0.3, 0.01, 0.01);
  const Scores out = random_scores(rng, 700, 0.0, 0.01, 0.01);
  const auto all = compute_all_metrics(in, out);
  const SortedScores sin = SortedScores::from(in), sout = SortedScores::from(out);
  for (std::size_t i = 0; i < kAllMetrics.size(); ++i) {
    EXPECT_EQ(compute_metric(kAllMetrics[i], in, out).value, all[i].value) << metric_name(kAllMetrics[i]);
    EXPECT_EQ(compute_metric(kAllMetrics[i], sin, sout).value, all[i].value);
  }
  EXPECT_EQ(auroc(in, out).value, all[0].value);
  EXPECT_EQ(aupr_in_average_precision(in, out).value, all[1].value);
  EXPECT_EQ(aupr_in_trapezoid(in, out).value, all[2].value);
  EXPECT_EQ(aupr_out_average_precision(in, out).value, all[3].value);
  EXPECT_EQ(aupr_out_trapezoid(in, out).value, all[4].value);
  EXPECT_EQ(fpr_at_tpr(in, out, 0.95, FprConvention::IdPositive).value, all[5].value);
  EXPECT_EQ(fpr_at_tpr(in, out, 0.95, FprConvention::OodPositiveOpenOod).value, all[6].value);
}

TEST(Symmetry, SwappingSidesAndNegatingScoresMirrorsTheMetrics) {
  // With finite scores, (in, out) -> (-out, -in) maps AUROC to itself and AUPR-in to AUPR-out.
  std::mt19937_64 rng(9);
  const Scores in = random_scores(rng, 800, 0.5, 0.05, 0.0);
  const Scores out = random_scores(rng, 500, 0.0, 0.05, 0.0);
  Scores neg_in, neg_out;
  for (const double s : in) neg_in.push_back(-s);
  for (const double s : out) neg_out.push_back(-s);
  EXPECT_NEAR(auroc(in, out).value, auroc(neg_out, neg_in).value, 1e-15);
  EXPECT_NEAR(aupr_in_average_precision(in, out).value, aupr_out_average_precision(neg_out, neg_in).value, 1e-15);
  EXPECT_NEAR(aupr_in_trapezoid(in, out).value, aupr_out_trapezoid(neg_out, neg_in).value, 1e-15);
}

}  // namespace
}  // namespace hierad::analysis
