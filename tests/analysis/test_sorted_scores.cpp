// Order keys and the radix sort: the foundation every metric stands on (Note [order keys]).
#include "analysis/sorted_scores.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace hierad::analysis {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(OrderKey, PreservesTheOrderOfFiniteDoubles) {
  const double ladder[] = {-std::numeric_limits<double>::max(), -1e300, -2.5, -1.0,
                           -std::numeric_limits<double>::min(),  // smallest normal
                           -std::numeric_limits<double>::denorm_min(), 0.0,
                           std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::min(),
                           1.0, 1.0000000000000002, 2.5, 1e300, std::numeric_limits<double>::max()};
  for (std::size_t i = 1; i < std::size(ladder); ++i) {
    EXPECT_LT(order_key(ladder[i - 1]), order_key(ladder[i])) << ladder[i - 1] << " vs " << ladder[i];
  }
}

TEST(OrderKey, NegativeZeroTiesWithZero) {
  EXPECT_EQ(order_key(-0.0), order_key(0.0));
}

TEST(OrderKey, NonFiniteScoresTieBelowEveryFiniteScore) {
  const std::uint64_t lowest_finite = order_key(-std::numeric_limits<double>::max());
  for (const double x : {kNaN, -kNaN, kInf, -kInf}) {
    EXPECT_EQ(order_key(x), 0u) << x;
    EXPECT_LT(order_key(x), lowest_finite) << x;
  }
}

// Keys of a few distributions that exercise every radix pass, and the skipped ones.
std::vector<std::uint64_t> random_keys(std::size_t n, int kind, std::mt19937_64& rng) {
  std::vector<std::uint64_t> keys(n);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (auto& k : keys) {
    switch (kind) {
      case 0: k = rng(); break;                                  // every bit random
      case 1: k = order_key(normal(rng)); break;                 // realistic scores
      case 2: k = order_key(std::round(normal(rng) * 4) / 4); break;  // heavy ties
      default: k = 0x8000000000000000ull | (rng() & 0xFFFu); break;   // only low digits vary
    }
  }
  return keys;
}

TEST(RadixSort, EqualsStdSortBelowAndAboveTheRadixThreshold) {
  std::mt19937_64 rng(7);
  std::vector<std::uint64_t> scratch;
  for (const std::size_t n : {0u, 1u, 2u, 100u, 4095u, 4096u, 4097u, 100000u}) {
    for (int kind = 0; kind < 4; ++kind) {
      auto keys = random_keys(n, kind, rng);
      auto expected = keys;
      std::sort(expected.begin(), expected.end());
      radix_sort_keys(keys, scratch);
      EXPECT_EQ(keys, expected) << "n = " << n << ", kind = " << kind;
    }
  }
}

TEST(SortedScores, SortsKeysAndCountsNonFinite) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal(0.0, 3.0);
  for (const std::size_t n : {5u, 5000u}) {
    std::vector<double> scores(n);
    for (auto& s : scores) s = normal(rng);
    scores[0] = kNaN;
    scores[n / 2] = kInf;
    scores[n - 1] = -kInf;
    scores[1] = -0.0;
    const SortedScores sorted = SortedScores::from(scores);
    std::vector<std::uint64_t> expected;
    for (const double s : scores) expected.push_back(order_key(s));
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(sorted.keys(), expected);
    EXPECT_EQ(sorted.nonfinite(), 3u);
    EXPECT_EQ(sorted.size(), n);
  }
}

// Scores rounded from float32 leave the low mantissa digits constant in magnitude, so the sort skips
// those passes (sorted_scores.cpp); the order must still be exact with both signs, zeros of both
// signs and non-finite values mixed in.
TEST(SortedScores, SkippedPassesKeepFloat32RoundedScoresInOrder) {
  std::mt19937_64 rng(13);
  std::normal_distribution<double> normal(0.0, 2.0);
  std::vector<double> scores(20000);
  for (auto& s : scores) s = static_cast<double>(static_cast<float>(normal(rng)));
  for (std::size_t i = 0; i < 40; ++i) scores[i * 97] = (i % 2) ? -0.0 : 0.0;
  scores[5] = kNaN;
  scores[6] = -kInf;
  scores[7] = kInf;
  const SortedScores sorted = SortedScores::from(scores);
  std::vector<std::uint64_t> expected;
  for (const double s : scores) expected.push_back(order_key(s));
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(sorted.keys(), expected);
  EXPECT_EQ(sorted.nonfinite(), 3u);
}

}  // namespace
}  // namespace hierad::analysis
