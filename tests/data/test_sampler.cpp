// Epoch order (block shuffle) and sharding, checked exhaustively on small sizes.
#include "src/data/sampler.hpp"

#include "src/config/experiment_config.hpp"
#include "src/data/random.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
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

TEST(IndexPermutation, IsABijectionForEverySizeAndDependsOnTheKey) {
  for (std::uint64_t n = 1; n <= 300; ++n)
    for (std::uint64_t key : {0ull, 1ull, 0xDEADBEEFull}) {
      const IndexPermutation perm(n, key);
      std::vector<int> hit(n, 0);
      for (std::uint64_t x = 0; x < n; ++x) {
        const std::uint64_t y = perm(x);
        ASSERT_LT(y, n);
        ++hit[y];
      }
      for (std::uint64_t y = 0; y < n; ++y) ASSERT_EQ(hit[y], 1) << "n " << n << " key " << key;
    }
  const IndexPermutation a(1000, 5), b(1000, 6);
  int same = 0;
  for (std::uint64_t x = 0; x < 1000; ++x) same += a(x) == b(x);
  EXPECT_LT(same, 10);  // a random pair of permutations agrees on ~1 point
}

TEST(IndexPermutation, SendsEachPointUniformlyOverKeys) {
  // Where x lands, over 20,000 keys, for n = 3 and 7 (cycle walking), 16 (a power of 4) and
  // 100: every cell within 5 standard deviations of the uniform count.
  for (const std::uint64_t n : {3ull, 7ull, 16ull, 100ull}) {
    std::vector<std::vector<int>> count(n, std::vector<int>(n, 0));
    const int keys = 20000;
    for (int k = 0; k < keys; ++k) {
      const IndexPermutation perm(n, mix64(static_cast<std::uint64_t>(k)));
      for (std::uint64_t x = 0; x < n; ++x) ++count[x][perm(x)];
    }
    const double expected = static_cast<double>(keys) / n;
    const double sd = std::sqrt(expected * (1 - 1.0 / n));
    for (std::uint64_t x = 0; x < n; ++x)
      for (std::uint64_t y = 0; y < n; ++y)
        ASSERT_NEAR(count[x][y], expected, 5 * sd) << "n " << n << ": " << x << " -> " << y;
  }
}

TEST(EpochOrder, WindowsArePermutationsOfTheirOwnBlocks) {
  // (n, block, window): whole windows, a short last window, a short block, a window smaller than
  // a block (one block per window), a window larger than the set.
  const std::vector<std::array<std::int64_t, 3>> cases{
      {1000, 10, 100}, {1003, 10, 100}, {997, 8, 64}, {500, 7, 3}, {100, 4, 1000}, {64 * 40 + 17, 64, 640}};
  for (const auto& [n, block, window] : cases) {
    for (std::int64_t epoch = 0; epoch < 3; ++epoch) {
      SCOPED_TRACE("n " + std::to_string(n) + " block " + std::to_string(block) + " window " +
                   std::to_string(window) + " epoch " + std::to_string(epoch));
      const EpochOrder o(n, block, true, 42, epoch, window);
      const EpochOrder blocks_only(n, block, true, 42, epoch);
      const auto v = full_order(o);
      auto sorted = v;
      std::sort(sorted.begin(), sorted.end());
      std::vector<std::int64_t> iota(static_cast<std::size_t>(n));
      std::iota(iota.begin(), iota.end(), 0);
      ASSERT_EQ(sorted, iota);
      const std::int64_t per = std::max<std::int64_t>(1, window / block);
      ASSERT_EQ(o.windows(), std::max<std::int64_t>(1, (n + block - 1) / block / per));  // the last takes the rest
      ASSERT_EQ(o.window_begin(0), 0);
      ASSERT_EQ(o.window_begin(o.windows()), n);
      for (std::int64_t w = 0; w < o.windows(); ++w) {
        const std::int64_t begin = o.window_begin(w), end = o.window_begin(w + 1);
        ASSERT_LT(begin, end);
        // Its positions hold exactly the images of its blocks, which are the blocks-only order's
        // blocks in the same slots: the windows cut the block order, they do not change it.
        std::vector<std::int64_t> images(v.begin() + begin, v.begin() + end), from_blocks, from_order;
        for (const ImageRun& run : o.window_blocks(w))
          for (std::int64_t k = 0; k < run.count; ++k) from_blocks.push_back(run.first + k);
        for (std::int64_t p = begin; p < end; ++p) {
          from_order.push_back(blocks_only.index_at(p));
          ASSERT_EQ(o.window_at(p), w) << "position " << p;
        }
        ASSERT_EQ(from_blocks, from_order);
        std::sort(images.begin(), images.end());
        std::sort(from_blocks.begin(), from_blocks.end());
        ASSERT_EQ(images, from_blocks) << "window " << w;
      }
    }
  }
}

TEST(EpochOrder, WindowsMixSingleImagesAndDependOnlyOnSeedAndEpoch) {
  const auto a = full_order(EpochOrder(4096, 64, true, 7, 3, 1024));
  EXPECT_EQ(a, full_order(EpochOrder(4096, 64, true, 7, 3, 1024)));
  EXPECT_NE(a, full_order(EpochOrder(4096, 64, true, 7, 4, 1024)));
  EXPECT_NE(a, full_order(EpochOrder(4096, 64, true, 8, 3, 1024)));
  // Neighbours in the order are rarely neighbours in the source (blocks only: always, in a block).
  int consecutive = 0;
  for (std::size_t p = 1; p < a.size(); ++p) consecutive += a[p] == a[p - 1] + 1;
  EXPECT_LT(consecutive, 20);
  std::vector<std::int64_t> iota(4096);
  std::iota(iota.begin(), iota.end(), 0);
  EXPECT_EQ(full_order(EpochOrder(4096, 64, false, 7, 3, 1024)), iota);
}

// Mean number of distinct labels (label = source index / 1000: blocks of 1,000 consecutive images
// per keyword) in the first `batches` batches of 64 of an order.
double mean_distinct_labels(const EpochOrder& o, std::int64_t first_position, int batches) {
  double total = 0;
  for (int b = 0; b < batches; ++b) {
    std::set<std::int64_t> labels;
    for (std::int64_t k = 0; k < 64; ++k) labels.insert(o.index_at(first_position + b * 64 + k) / 1000);
    total += static_cast<double>(labels.size());
  }
  return total / batches;
}

TEST(EpochOrder, DefaultWindowMixesTheTinyStreamAsTheAuthorsDid) {
  // The whole 80M Tiny Images file with the config defaults (block 64, window 65,536): a batch of
  // 64 holds ~62 distinct keywords; blocks alone, about one.
  const config::DataConfig d;
  const std::int64_t n = 79302017;
  const EpochOrder windows(n, d.block_size, true, 0, 0, d.shuffle_buffer), blocks_only(n, d.block_size, true, 0, 0);
  for (const std::int64_t first : {std::int64_t{0}, std::int64_t{40000000}}) {
    const double mixed = mean_distinct_labels(windows, first, 300);
    EXPECT_GE(mixed, 60.0) << "from position " << first;
    EXPECT_LE(mean_distinct_labels(blocks_only, first, 300), 2.0);
    std::printf("mean distinct labels per batch of 64 from position %lld: %.2f (blocks only %.2f)\n",
                static_cast<long long>(first), mixed, mean_distinct_labels(blocks_only, first, 300));
  }
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
