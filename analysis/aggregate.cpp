#include "analysis/aggregate.hpp"

#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <tuple>

namespace hierad::analysis {
namespace {

using GroupKey = std::tuple<std::string, std::string, std::string, std::string>;

GroupKey key_of(const MetricRecord& r) { return {r.score_kind, r.in_set, r.ood_set, r.metric}; }

std::string describe(const GroupKey& k) {
  return std::get<0>(k) + " / " + std::get<1>(k) + " vs " + std::get<2>(k) + " / " + std::get<3>(k);
}

}  // namespace

std::vector<AggregateRow> aggregate(const std::vector<MetricRecord>& records) {
  std::map<GroupKey, std::size_t> group_index;  // key -> position in `groups`
  std::vector<std::vector<const MetricRecord*>> groups;
  std::vector<GroupKey> keys;
  for (const MetricRecord& r : records) {
    if (!std::isfinite(r.value)) {
      throw std::invalid_argument("aggregate: run '" + r.run + "' has a non-finite value for " +
                                  describe(key_of(r)));
    }
    const GroupKey key = key_of(r);
    const auto [it, inserted] = group_index.emplace(key, groups.size());
    if (inserted) {
      groups.emplace_back();
      keys.push_back(key);
    }
    groups[it->second].push_back(&r);
  }

  std::vector<AggregateRow> rows;
  rows.reserve(groups.size());
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const auto& members = groups[g];
    std::set<std::string> runs;
    AggregateRow row;
    std::tie(row.score_kind, row.in_set, row.ood_set, row.metric) = keys[g];
    double sum = 0.0;
    for (const MetricRecord* r : members) {
      if (!runs.insert(r->run).second) {
        throw std::invalid_argument("aggregate: run '" + r->run + "' appears twice for " + describe(keys[g]));
      }
      sum += r->value;
      row.nonfinite_in += r->nonfinite_in;
      row.nonfinite_out += r->nonfinite_out;
    }
    row.runs = members.size();
    row.mean = sum / static_cast<double>(row.runs);
    if (row.runs < 2) {
      row.std = std::numeric_limits<double>::quiet_NaN();
    } else {
      double squares = 0.0;  // two passes: no cancellation for values close to each other
      for (const MetricRecord* r : members) squares += (r->value - row.mean) * (r->value - row.mean);
      row.std = std::sqrt(squares / static_cast<double>(row.runs - 1));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<MetricRecord> metric_records(const std::string& run, const std::string& score_kind,
                                         const std::string& in_set, const std::string& ood_set,
                                         const std::array<MetricResult, kAllMetrics.size()>& results) {
  std::vector<MetricRecord> records;
  for (std::size_t i = 0; i < kAllMetrics.size(); ++i) {
    records.push_back(MetricRecord{run, score_kind, in_set, ood_set, std::string(metric_name(kAllMetrics[i])),
                                   results[i].value, results[i].nonfinite_in, results[i].nonfinite_out});
  }
  return records;
}

}  // namespace hierad::analysis
