// The metrics table an analysis writes (report/metrics.csv, analysis/tables.hpp), read back for
// the sweep report: one row per (score kind, in-distribution set, OOD set, metric).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace hierad::report {

struct MetricRow {
  std::string score_kind, in_set, ood_set, metric;
  int runs = 0;
  double mean = 0.0;
  double std = 0.0;  // NaN for one run
};

// Throws std::runtime_error naming the file and line for a header or row it cannot read.
std::vector<MetricRow> read_metrics_csv(const std::filesystem::path& path);

// Whether a larger value of `metric` is better (AUROC, AUPR) or a smaller one (FPR at 95 % TPR).
bool higher_is_better(const std::string& metric);

}  // namespace hierad::report
