#include "analysis/metrics.hpp"

#include "analysis/threshold_walk.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace hierad::analysis {
namespace {

void require_both_sides(const SortedScores& in, const SortedScores& out, std::string_view what) {
  if (in.size() == 0 || out.size() == 0) {
    throw std::invalid_argument(std::string(what) + ": need at least one score on each side (got " +
                                std::to_string(in.size()) + " in-distribution and " +
                                std::to_string(out.size()) + " OOD scores)");
  }
}

MetricResult result(double value, const SortedScores& in, const SortedScores& out) {
  return MetricResult{value, in.nonfinite(), out.nonfinite()};
}

// Neumaier's compensated sum: the curve sums below add up to millions of small terms.
class CompensatedSum {
 public:
  void add(double x) {
    const double t = sum_ + x;
    if (std::fabs(sum_) >= std::fabs(x)) comp_ += (sum_ - t) + x;
    else comp_ += (x - t) + sum_;
    sum_ = t;
  }
  double value() const { return sum_ + comp_; }

 private:
  double sum_ = 0.0;
  double comp_ = 0.0;
};

// Visits the threshold groups as (positives, negatives), by decreasing score of the positive
// class: in-dist positive = scores high to low; OOD positive = score -s high to low = s low to high.
template <class Visit>
void walk_groups(const SortedScores& in, const SortedScores& out, bool in_positive, Visit&& visit) {
  if (in_positive) {
    detail::walk_descending(in.keys(), out.keys(),
                            [&](std::size_t c_in, std::size_t c_out) { return visit(c_in, c_out); });
  } else {
    detail::walk_ascending(in.keys(), out.keys(),
                           [&](std::size_t c_in, std::size_t c_out) { return visit(c_out, c_in); });
  }
}

// sklearn's average_precision_score: sum_j (R_j - R_{j-1}) P_j, R_{-1} = 0.
double average_precision(const SortedScores& in, const SortedScores& out, bool in_positive) {
  const double positives = static_cast<double>(in_positive ? in.size() : out.size());
  std::size_t tp = 0;
  std::size_t fp = 0;
  double previous_recall = 0.0;
  CompensatedSum sum;
  walk_groups(in, out, in_positive, [&](std::size_t pos, std::size_t neg) {
    tp += pos;
    fp += neg;
    const double precision = static_cast<double>(tp) / static_cast<double>(tp + fp);
    const double recall = static_cast<double>(tp) / positives;
    sum.add((recall - previous_recall) * precision);
    previous_recall = recall;
    return true;
  });
  return sum.value();
}

// sklearn's auc(recall, precision): trapezoids between consecutive curve points, starting from the
// point (recall 0, precision 1) that precision_recall_curve appends.
double pr_trapezoid(const SortedScores& in, const SortedScores& out, bool in_positive) {
  const double positives = static_cast<double>(in_positive ? in.size() : out.size());
  std::size_t tp = 0;
  std::size_t fp = 0;
  double previous_recall = 0.0;
  double previous_precision = 1.0;
  CompensatedSum sum;
  walk_groups(in, out, in_positive, [&](std::size_t pos, std::size_t neg) {
    tp += pos;
    fp += neg;
    const double precision = static_cast<double>(tp) / static_cast<double>(tp + fp);
    const double recall = static_cast<double>(tp) / positives;
    sum.add((recall - previous_recall) * (precision + previous_precision) / 2.0);
    previous_recall = recall;
    previous_precision = precision;
    return true;
  });
  return sum.value();
}

// In-dist positive, every threshold: the first (highest) threshold whose TPR reaches the level.
double fpr_id_positive(const SortedScores& in, const SortedScores& out, double level) {
  const double positives = static_cast<double>(in.size());
  const double negatives = static_cast<double>(out.size());
  std::size_t tp = 0;
  std::size_t fp = 0;
  double fpr = 1.0;  // reached only if rounding kept TPR = 1 below the level, which it cannot
  walk_groups(in, out, /*in_positive=*/true, [&](std::size_t pos, std::size_t neg) {
    tp += pos;
    fp += neg;
    if (static_cast<double>(tp) / positives >= level) {
      fpr = static_cast<double>(fp) / negatives;
      return false;
    }
    return true;
  });
  return fpr;
}

// OOD positive as OpenOOD v1.5: Note [drop_intermediate]. A point is only decided once the next
// group is known, because its fate depends on whether the next increments repeat its own.
double fpr_ood_positive_openood(const SortedScores& in, const SortedScores& out, double level) {
  const double positives = static_cast<double>(out.size());
  const double negatives = static_cast<double>(in.size());
  struct Point {
    std::size_t pos, neg, tp, fp, index;
  };
  Point pending{};
  bool have_pending = false;
  bool found = false;
  double fpr = 1.0;
  std::size_t tp = 0;
  std::size_t fp = 0;
  std::size_t index = 0;
  walk_groups(in, out, /*in_positive=*/false, [&](std::size_t pos, std::size_t neg) {
    if (have_pending) {
      const bool kept = pending.index == 0 || pos != pending.pos || neg != pending.neg;
      if (kept && static_cast<double>(pending.tp) / positives >= level) {
        fpr = static_cast<double>(pending.fp) / negatives;
        found = true;
        return false;
      }
    }
    tp += pos;
    fp += neg;
    pending = Point{pos, neg, tp, fp, index++};
    have_pending = true;
    return true;
  });
  // The last point is always kept and has TPR = 1.
  if (!found) fpr = static_cast<double>(pending.fp) / negatives;
  return fpr;
}

void check_level(double level) {
  if (!(level > 0.0 && level <= 1.0)) {
    throw std::invalid_argument("fpr_at_tpr: the TPR level must lie in (0, 1], got " +
                                std::to_string(level));
  }
}

// Sorts both sides with one shared scratch buffer.
struct SortedPair {
  SortedScores in;
  SortedScores out;
};
SortedPair sort_pair(ScoreSpan in, ScoreSpan out) {
  std::vector<std::uint64_t> scratch;
  SortedScores sorted_in = SortedScores::from(in, scratch);
  SortedScores sorted_out = SortedScores::from(out, scratch);
  return {std::move(sorted_in), std::move(sorted_out)};
}

constexpr std::array<std::string_view, kAllMetrics.size()> kMetricNames = {
    "auroc",          "aupr_in_ap",        "aupr_in_trapz",
    "aupr_out_ap",    "aupr_out_trapz",    "fpr95_id_positive",
    "fpr95_ood_positive_openood"};

}  // namespace

std::string_view metric_name(Metric metric) {
  return kMetricNames.at(static_cast<std::size_t>(metric));
}

Metric metric_from_name(std::string_view name) {
  for (const Metric m : kAllMetrics) {
    if (metric_name(m) == name) return m;
  }
  std::string known;
  for (const auto& n : kMetricNames) known += (known.empty() ? "" : ", ") + std::string(n);
  throw std::invalid_argument("unknown metric '" + std::string(name) + "' (known: " + known + ")");
}

MetricResult auroc(const SortedScores& in, const SortedScores& out) {
  require_both_sides(in, out, "auroc");
  const double pairs = static_cast<double>(in.size()) * static_cast<double>(out.size());
  if (pairs > 4.0e18) throw std::invalid_argument("auroc: too many score pairs for a 64-bit count");
  // Twice the Mann-Whitney U: each (in, out) pair counts 2 if in > out and 1 if tied, i.e.
  // sum over in-dist x of #(out < x) + #(out <= x); an integer, so the only rounding is the final
  // division.
  const std::uint64_t twice_u = detail::count_below(in.keys(), out.keys(), /*ties_below=*/false) +
                                detail::count_below(in.keys(), out.keys(), /*ties_below=*/true);
  return result(static_cast<double>(twice_u) / (2.0 * pairs), in, out);
}

MetricResult aupr_in_average_precision(const SortedScores& in, const SortedScores& out) {
  require_both_sides(in, out, "aupr_in_ap");
  return result(average_precision(in, out, true), in, out);
}
MetricResult aupr_in_trapezoid(const SortedScores& in, const SortedScores& out) {
  require_both_sides(in, out, "aupr_in_trapz");
  return result(pr_trapezoid(in, out, true), in, out);
}
MetricResult aupr_out_average_precision(const SortedScores& in, const SortedScores& out) {
  require_both_sides(in, out, "aupr_out_ap");
  return result(average_precision(in, out, false), in, out);
}
MetricResult aupr_out_trapezoid(const SortedScores& in, const SortedScores& out) {
  require_both_sides(in, out, "aupr_out_trapz");
  return result(pr_trapezoid(in, out, false), in, out);
}

MetricResult fpr_at_tpr(const SortedScores& in, const SortedScores& out, double tpr_level,
                        FprConvention convention) {
  require_both_sides(in, out, "fpr_at_tpr");
  check_level(tpr_level);
  const double value = convention == FprConvention::IdPositive
                           ? fpr_id_positive(in, out, tpr_level)
                           : fpr_ood_positive_openood(in, out, tpr_level);
  return result(value, in, out);
}

MetricResult compute_metric(Metric metric, const SortedScores& in, const SortedScores& out) {
  switch (metric) {
    case Metric::Auroc: return auroc(in, out);
    case Metric::AuprInAveragePrecision: return aupr_in_average_precision(in, out);
    case Metric::AuprInTrapezoid: return aupr_in_trapezoid(in, out);
    case Metric::AuprOutAveragePrecision: return aupr_out_average_precision(in, out);
    case Metric::AuprOutTrapezoid: return aupr_out_trapezoid(in, out);
    case Metric::Fpr95IdPositive: return fpr_at_tpr(in, out, 0.95, FprConvention::IdPositive);
    case Metric::Fpr95OodPositiveOpenOod:
      return fpr_at_tpr(in, out, 0.95, FprConvention::OodPositiveOpenOod);
  }
  throw std::invalid_argument("compute_metric: unknown Metric value");
}

// The unsorted entry points sort once and go through the one dispatch above.
MetricResult auroc(ScoreSpan in, ScoreSpan out) { return compute_metric(Metric::Auroc, in, out); }
MetricResult aupr_in_average_precision(ScoreSpan in, ScoreSpan out) {
  return compute_metric(Metric::AuprInAveragePrecision, in, out);
}
MetricResult aupr_in_trapezoid(ScoreSpan in, ScoreSpan out) {
  return compute_metric(Metric::AuprInTrapezoid, in, out);
}
MetricResult aupr_out_average_precision(ScoreSpan in, ScoreSpan out) {
  return compute_metric(Metric::AuprOutAveragePrecision, in, out);
}
MetricResult aupr_out_trapezoid(ScoreSpan in, ScoreSpan out) {
  return compute_metric(Metric::AuprOutTrapezoid, in, out);
}
MetricResult fpr_at_tpr(ScoreSpan in, ScoreSpan out, double tpr_level, FprConvention convention) {
  const auto p = sort_pair(in, out);
  return fpr_at_tpr(p.in, p.out, tpr_level, convention);
}
MetricResult compute_metric(Metric metric, ScoreSpan in, ScoreSpan out) {
  const auto p = sort_pair(in, out);
  return compute_metric(metric, p.in, p.out);
}

std::array<MetricResult, kAllMetrics.size()> compute_all_metrics(ScoreSpan in, ScoreSpan out) {
  const auto p = sort_pair(in, out);
  std::array<MetricResult, kAllMetrics.size()> results;
  for (std::size_t i = 0; i < kAllMetrics.size(); ++i) {
    results[i] = compute_metric(kAllMetrics[i], p.in, p.out);
  }
  return results;
}

}  // namespace hierad::analysis
