// Epoch order (block shuffle) and sharding, checked exhaustively on small sizes.
#include "src/data/sampler.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>

namespace hierad::data {
namespace {

std::vector<std::int64_t> full_order(const EpochOrder& o) {
  std::vector<std::int64_t> v;
  for (std::int64_t p = 0; p < o.size(); ++p) v.push_back(o.index_at(p));
  return v;
}

TEST(EpochOrder, IsAPermutationThatKeepsBlocksTogether) {
  for (const auto& [n, block] : std::vector<std::pair<std::int64_t, std::int64_t>>{{100, 1}, {100, 7}, {1000, 64}, {5, 8}}) {
    for (std::int64_t epoch = 0; epoch < 5; ++epoch) {
      EpochOrder o(n, block, true, 42, epoch);
      auto v = full_order(o);
      auto sorted = v;
      std::sort(sorted.begin(), sorted.end());
      std::vector<std::int64_t> iota(static_cast<std::size_t>(n));
      std::iota(iota.begin(), iota.end(), 0);
      ASSERT_EQ(sorted, iota) << "n " << n << " block " << block << " epoch " << epoch;
      // Within the order, each block appears as one run of consecutive indices starting at a
      // multiple of the block size.
      for (std::size_t p = 0; p < v.size();) {
        ASSERT_EQ(v[p] % block, 0) << "block start at position " << p;
        const std::int64_t len = std::min(block, n - v[p]);
        for (std::int64_t k = 1; k < len; ++k) ASSERT_EQ(v[p + static_cast<std::size_t>(k)], v[p] + k);
        p += static_cast<std::size_t>(len);
      }
    }
  }
}

TEST(EpochOrder, DependsOnlyOnSeedAndEpoch) {
  const auto a = full_order(EpochOrder(500, 4, true, 7, 3));
  EXPECT_EQ(a, full_order(EpochOrder(500, 4, true, 7, 3)));
  EXPECT_NE(a, full_order(EpochOrder(500, 4, true, 7, 4)));
  EXPECT_NE(a, full_order(EpochOrder(500, 4, true, 8, 3)));
  std::vector<std::int64_t> iota(500);
  std::iota(iota.begin(), iota.end(), 0);
  EXPECT_EQ(full_order(EpochOrder(500, 4, false, 7, 3)), iota);
}

TEST(EpochOrder, TheShortLastBlockLandsAnywhere) {
  // 10 blocks of 3 and one of 1 (n = 31): over many epochs the short block takes many slots.
  std::set<std::int64_t> positions;
  for (std::int64_t e = 0; e < 200; ++e) {
    const auto v = full_order(EpochOrder(31, 3, true, 1, e));
    positions.insert(std::find(v.begin(), v.end(), 30) - v.begin());
  }
  EXPECT_GE(positions.size(), 8u);
}

// Runs every rank over one epoch and checks the shards.
void check_shards(std::int64_t n, std::int64_t batch, int world, bool drop) {
  std::vector<int> owner(static_cast<std::size_t>(n), -1);
  std::vector<std::int64_t> per_rank(static_cast<std::size_t>(world), 0);
  for (int r = 0; r < world; ++r) {
    const ShardGeometry g{n, batch, r, world, drop};
    const std::int64_t steps = steps_in_epoch(g, 0);
    for (std::int64_t s = 0; s < steps; ++s) {
      const auto range = rank_positions(g, 0, s);
      ASSERT_LE(range.size(), batch);
      if (drop) {
        ASSERT_EQ(range.size(), batch);
      }
      for (std::int64_t p = range.begin; p < range.end; ++p) {
        ASSERT_EQ(owner[static_cast<std::size_t>(p)], -1) << "position " << p << " read twice";
        owner[static_cast<std::size_t>(p)] = r;
      }
      per_rank[static_cast<std::size_t>(r)] += range.size();
    }
  }
  const std::int64_t covered = std::count_if(owner.begin(), owner.end(), [](int o) { return o >= 0; });
  if (drop) {
    EXPECT_EQ(covered, n / (batch * world) * batch * world);
    for (auto c : per_rank) EXPECT_EQ(c, per_rank[0]);
    // What is left out is exactly the tail of the epoch order.
    for (std::int64_t p = 0; p < covered; ++p) EXPECT_GE(owner[static_cast<std::size_t>(p)], 0);
  } else {
    EXPECT_EQ(covered, n);
  }
}

TEST(Shards, OneTwoAndThreeRanksAreDisjointAndCoverTheEpoch) {
  for (int world : {1, 2, 3})
    for (std::int64_t n : {1, 7, 64, 100, 1001})
      for (std::int64_t batch : {1, 5, 64}) {
        SCOPED_TRACE("world " + std::to_string(world) + " n " + std::to_string(n) + " batch " + std::to_string(batch));
        check_shards(n, batch, world, /*drop=*/false);
        if (n >= batch * world) check_shards(n, batch, world, /*drop=*/true);
      }
}

}  // namespace
}  // namespace hierad::data
