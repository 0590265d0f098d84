// One side's scores (in-distribution or OOD), sorted once so that every metric is a linear walk.
//
// Note [order keys]
// Scores are not sorted as doubles but as 64-bit unsigned "order keys": a bijection of the finite
// doubles onto integers that preserves order (flip every bit of a negative number, set the sign bit
// of a non-negative one). Integers sort with an LSD radix sort in O(n), compare exactly, and tie
// exactly when the doubles are equal. Two details make "equal key" mean "equal score":
//   - -0.0 is mapped to +0.0 first (they compare equal as doubles but differ in bits);
//   - every non-finite score (NaN, -inf, +inf) is mapped to key 0, which is below the key of every
//     finite double. See Note [non-finite scores] in metrics.hpp for why +inf is included.
// The original doubles are never needed again: metrics only count how many scores of each side lie
// at, above or below each distinct value.
#pragma once

#include "analysis/score_span.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hierad::analysis {

// The order key of Note [order keys]; key 0 is reserved for non-finite scores.
std::uint64_t order_key(double score);

// Sorts keys ascending in place. `scratch` is resized as needed and may be reused across calls,
// so that sorting two sides one after the other needs one extra buffer, not two.
void radix_sort_keys(std::vector<std::uint64_t>& keys, std::vector<std::uint64_t>& scratch);

class SortedScores {
 public:
  // Converts and sorts in one go: one read of `scores`, one key buffer (kept) and one scratch
  // buffer (passed in so callers can share it).
  static SortedScores from(ScoreSpan scores, std::vector<std::uint64_t>& scratch);
  static SortedScores from(ScoreSpan scores);

  const std::vector<std::uint64_t>& keys() const { return keys_; }  // ascending
  std::size_t size() const { return keys_.size(); }
  std::size_t nonfinite() const { return nonfinite_; }

 private:
  std::vector<std::uint64_t> keys_;
  std::size_t nonfinite_ = 0;
};

}  // namespace hierad::analysis
