// Walks the distinct thresholds of two sorted key arrays, reporting how many keys of each array sit
// at each distinct value. Every curve metric (ROC, precision-recall) is a fold over these groups,
// in the order of decreasing score for the class that is called "positive".
//
// Internal to analysis/ (used by metrics.cpp and its tests).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hierad::analysis::detail {

// Calls visit(count_a, count_b) for each distinct key, from the largest key to the smallest.
// `visit` returns false to stop early.
template <class Visit>
void walk_descending(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b,
                     Visit&& visit) {
  std::size_t i = a.size();
  std::size_t j = b.size();
  while (i > 0 || j > 0) {
    std::uint64_t t;
    if (i == 0) t = b[j - 1];
    else if (j == 0) t = a[i - 1];
    else t = a[i - 1] > b[j - 1] ? a[i - 1] : b[j - 1];
    std::size_t ca = 0;
    std::size_t cb = 0;
    while (i > 0 && a[i - 1] == t) --i, ++ca;
    while (j > 0 && b[j - 1] == t) --j, ++cb;
    if (!visit(ca, cb)) return;
  }
}

// Same, from the smallest key to the largest.
template <class Visit>
void walk_ascending(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b,
                    Visit&& visit) {
  const std::size_t na = a.size();
  const std::size_t nb = b.size();
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < na || j < nb) {
    std::uint64_t t;
    if (i == na) t = b[j];
    else if (j == nb) t = a[i];
    else t = a[i] < b[j] ? a[i] : b[j];
    std::size_t ca = 0;
    std::size_t cb = 0;
    while (i < na && a[i] == t) ++i, ++ca;
    while (j < nb && b[j] == t) ++j, ++cb;
    if (!visit(ca, cb)) return;
  }
}

// Sum over the keys x of `a` of #{y in b : y < x} (ties_below = false) or #{y in b : y <= x}
// (ties_below = true); both arrays ascending. A merge without data-dependent branches: each step
// advances exactly one side, chosen by a comparison the compiler turns into a conditional move, so
// that the random interleaving of two score distributions costs no branch mispredictions. AUROC's
// inner loop: two of these take 0.13 s CPU on 10M + 10M float32-rounded normal scores where the
// group walk above takes 0.18 s (measured on the 2-core development machine, under load).
inline std::uint64_t count_below(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b,
                                 bool ties_below) {
  const std::size_t na = a.size();
  const std::size_t nb = b.size();
  std::size_t i = 0;
  std::size_t j = 0;
  std::uint64_t sum = 0;
  if (ties_below) {
    while (i < na && j < nb) {
      const bool take_a = a[i] < b[j];  // equal: b goes first, so it counts as below
      sum += take_a ? j : 0;
      i += take_a;
      j += !take_a;
    }
  } else {
    while (i < na && j < nb) {
      const bool take_a = a[i] <= b[j];  // equal: a goes first, so it does not count
      sum += take_a ? j : 0;
      i += take_a;
      j += !take_a;
    }
  }
  return sum + static_cast<std::uint64_t>(na - i) * nb;  // the rest of a lies above all of b
}

}  // namespace hierad::analysis::detail
