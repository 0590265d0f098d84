#include "analysis/likelihood_pairing.hpp"

#include <stdexcept>
#include <string>
#include <unordered_map>

namespace hierad::analysis {

std::vector<std::size_t> match_rows_by_index(const std::vector<std::int64_t>& reference,
                                             const std::vector<std::int64_t>& other) {
  if (reference.size() != other.size()) {
    throw std::invalid_argument("match_rows_by_index: the two score sets hold " + std::to_string(reference.size()) +
                                " and " + std::to_string(other.size()) + " examples; pairing needs the same examples");
  }
  std::unordered_map<std::int64_t, std::size_t> row_of;
  row_of.reserve(other.size());
  for (std::size_t r = 0; r < other.size(); ++r) {
    if (!row_of.emplace(other[r], r).second) {
      throw std::invalid_argument("match_rows_by_index: example index " + std::to_string(other[r]) +
                                  " appears twice in the set being matched");
    }
  }
  std::vector<std::size_t> rows(reference.size());
  std::vector<bool> used(other.size(), false);
  for (std::size_t i = 0; i < reference.size(); ++i) {
    const auto it = row_of.find(reference[i]);
    if (it == row_of.end()) {
      throw std::invalid_argument("match_rows_by_index: example index " + std::to_string(reference[i]) +
                                  " of the reference set is missing from the other set");
    }
    if (used[it->second]) {
      throw std::invalid_argument("match_rows_by_index: example index " + std::to_string(reference[i]) +
                                  " appears twice in the reference set");
    }
    used[it->second] = true;
    rows[i] = it->second;
  }
  return rows;
}

ModelLikelihoods likelihoods_from_rows(const std::vector<double>& lp_row_major, std::size_t num_scales,
                                       const std::vector<double>& log_p, const std::vector<std::size_t>* rows) {
  if (num_scales == 0) throw std::invalid_argument("likelihoods_from_rows: a model has at least one scale");
  const std::size_t n = log_p.size();
  if (lp_row_major.size() != n * num_scales) {
    throw std::invalid_argument("likelihoods_from_rows: lp holds " + std::to_string(lp_row_major.size()) +
                                " values, expected N * L = " + std::to_string(n) + " * " +
                                std::to_string(num_scales));
  }
  const std::size_t count = rows ? rows->size() : n;
  ModelLikelihoods m;
  m.lp.assign(num_scales, std::vector<double>(count));
  m.log_p.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t r = rows ? (*rows)[i] : i;
    if (r >= n) {
      throw std::invalid_argument("likelihoods_from_rows: row " + std::to_string(r) + " is out of range (N = " +
                                  std::to_string(n) + ")");
    }
    m.log_p[i] = log_p[r];
    for (std::size_t k = 0; k < num_scales; ++k) m.lp[k][i] = lp_row_major[r * num_scales + k];
  }
  return m;
}

}  // namespace hierad::analysis
