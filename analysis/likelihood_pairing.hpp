// From the score-file layout to ModelLikelihoods, with the two models paired example by example.
//
// The storage layer stores, per dataset, an example index [N], log_p [N] and lp as a row-major
// [N, L] matrix (storage/score_store.hpp); rows are in whatever order the writing ranks produced.
// The ratio scores subtract the general model's terms from the in-distribution model's for the SAME
// example, so the rows of the general model's file are matched to the in-distribution file's rows
// by that index, never by row number.
#pragma once

#include "analysis/score_kinds.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hierad::analysis {

// For each position i of `reference`, the row r of `other` with other[r] == reference[i].
// Throws std::invalid_argument when the two do not hold the same set of indices (naming a missing
// index and the counts), or when an index repeats in either.
std::vector<std::size_t> match_rows_by_index(const std::vector<std::int64_t>& reference,
                                             const std::vector<std::int64_t>& other);

// ModelLikelihoods from lp (row-major [N, L]) and log_p [N]. With `rows`, example i of the result
// is row rows[i] of the input (use match_rows_by_index's result); otherwise rows are kept in order.
// Throws std::invalid_argument when the sizes disagree or a row is out of range.
ModelLikelihoods likelihoods_from_rows(const std::vector<double>& lp_row_major, std::size_t num_scales,
                                       const std::vector<double>& log_p,
                                       const std::vector<std::size_t>* rows = nullptr);

}  // namespace hierad::analysis
