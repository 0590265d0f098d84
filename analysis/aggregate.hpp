// Aggregation of metric values over runs and seeds.
//
// One MetricRecord is one number from one run: (run, score kind, in-dist set, OOD set, metric).
// aggregate() groups the records by (score kind, in-dist set, OOD set, metric) and reports the mean
// and the sample standard deviation over the runs of each group, plus the non-finite counts summed
// over those runs (so that a table says how many examples, in total, were scored non-finite).
#pragma once

#include "analysis/metrics.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace hierad::analysis {

struct MetricRecord {
  std::string run;         // run or seed identifier; unique within a group
  std::string score_kind;  // score_kind_name(...)
  std::string in_set;      // in-distribution dataset name
  std::string ood_set;     // OOD dataset name
  std::string metric;      // metric_name(...)
  double value = 0.0;
  std::size_t nonfinite_in = 0;
  std::size_t nonfinite_out = 0;
};

struct AggregateRow {
  std::string score_kind, in_set, ood_set, metric;
  std::size_t runs = 0;
  double mean = 0.0;
  double std = 0.0;  // sample standard deviation (divisor runs - 1); NaN when runs == 1
  std::size_t nonfinite_in = 0;   // summed over the runs
  std::size_t nonfinite_out = 0;
};

// Rows in the order in which each group first appears in `records` (so tables follow the order in
// which the analysis computed them). Throws std::invalid_argument when one run appears twice in a
// group (the same result would be counted twice) or a value is not finite.
std::vector<AggregateRow> aggregate(const std::vector<MetricRecord>& records);

// The records of one run for one (score kind, in set, OOD set): one per metric of kAllMetrics.
std::vector<MetricRecord> metric_records(const std::string& run, const std::string& score_kind,
                                         const std::string& in_set, const std::string& ood_set,
                                         const std::array<MetricResult, kAllMetrics.size()>& results);

}  // namespace hierad::analysis
