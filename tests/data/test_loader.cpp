// The loader: shards of 1, 2 and 3 ranks, save/restore of the position, independence from the
// number of prefetch threads, evaluation order, error propagation.
#include "src/data/loader.hpp"

#include "tests/data/data_test_util.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <numeric>
#include <set>

namespace hierad::data {
namespace {

using test::PatternSource;

LoaderOptions training(int batch, int threads = 2) {
  LoaderOptions o;
  o.batch_size = batch;
  o.seed = 1234;
  o.augment = {3, true};
  o.threads = threads;
  o.prefetch = 3;
  return o;
}

LoaderOptions evaluation(int batch, int threads = 2) {
  LoaderOptions o;
  o.batch_size = batch;
  o.shuffle = false;
  o.drop_remainder = false;
  o.repeat = false;
  o.threads = threads;
  return o;
}

bool same_batch(const Batch& a, const Batch& b) {
  return a.epoch == b.epoch && a.first_position == b.first_position && a.indices == b.indices &&
         a.labels == b.labels && a.pixels == b.pixels && a.noise_seed == b.noise_seed;
}

TEST(Loader, TrainingShardsOfOneTwoThreeRanksAreDisjointAndCoverTheEpoch) {
  const PatternSource src(1000, {3, 32, 32});
  for (int world : {1, 2, 3}) {
    const int batch = 16;
    std::map<std::int64_t, int> seen;  // source index -> times read in epoch 0
    std::vector<std::int64_t> batches(static_cast<std::size_t>(world), 0);
    for (int r = 0; r < world; ++r) {
      Loader loader(src, training(batch), r, world);
      EXPECT_EQ(loader.batches_per_epoch(), 1000 / (batch * world));
      for (;;) {
        auto b = loader.next();
        ASSERT_TRUE(b.has_value());
        if (b->epoch > 0) break;
        ASSERT_EQ(b->size(), batch);
        for (auto i : b->indices) ++seen[i];
        ++batches[static_cast<std::size_t>(r)];
      }
    }
    // Every rank the same number of full batches; no image twice; all but the dropped tail.
    for (auto n : batches) EXPECT_EQ(n, 1000 / (batch * world)) << "world " << world;
    for (const auto& [i, times] : seen) ASSERT_EQ(times, 1) << "index " << i << " world " << world;
    EXPECT_EQ(static_cast<std::int64_t>(seen.size()), 1000 / (batch * world) * batch * world);
  }
}

TEST(Loader, AllRanksAgreeOnTheOrder) {
  // Rank r's k-th batch is positions [k*B*w + r*B, ...) of one shared order: interleaving the
  // ranks' batches must give a permutation identical to what a single rank reads.
  const PatternSource src(600, {1, 8, 8});
  std::vector<std::int64_t> single;
  {
    Loader l(src, training(10), 0, 1);
    while (single.size() < 600) {
      auto b = l.next();
      single.insert(single.end(), b->indices.begin(), b->indices.end());
    }
  }
  Loader r0(src, training(5), 0, 2), r1(src, training(5), 1, 2);
  std::vector<std::int64_t> merged;
  while (merged.size() < 600) {
    for (Loader* l : {&r0, &r1}) {
      auto b = l->next();
      merged.insert(merged.end(), b->indices.begin(), b->indices.end());
    }
  }
  EXPECT_EQ(merged, single);
}

TEST(Loader, EvaluationReadsEveryImageOnceInOrderWithoutAugmentation) {
  const PatternSource src(103, {3, 32, 32});
  for (int world : {1, 2, 3}) {
    std::vector<int> times(103, 0);
    std::int64_t max_batches = 0;
    for (int r = 0; r < world; ++r) {
      Loader l(src, evaluation(10), r, world);
      std::int64_t n = 0;
      while (auto b = l.next()) {
        for (std::int64_t k = 0; k < b->size(); ++k) {
          const auto idx = b->indices[static_cast<std::size_t>(k)];
          ++times[static_cast<std::size_t>(idx)];
          if (k > 0) {
            EXPECT_EQ(idx, b->indices[static_cast<std::size_t>(k - 1)] + 1);
          }
          const auto expected = src.image(idx);
          ASSERT_TRUE(std::equal(expected.begin(), expected.end(), b->image(k))) << "augmented in evaluation?";
          EXPECT_EQ(b->labels[static_cast<std::size_t>(k)], src.label(idx));
        }
        ++n;
      }
      EXPECT_EQ(n, l.batches_per_epoch());
      max_batches = std::max(max_batches, n);
      EXPECT_FALSE(l.next().has_value());  // stays at the end
    }
    EXPECT_EQ(max_batches, Loader(src, evaluation(10), 0, world).max_batches_per_epoch());
    for (int i = 0; i < 103; ++i) ASSERT_EQ(times[static_cast<std::size_t>(i)], 1) << "image " << i << " world " << world;
  }
}

TEST(Loader, RestoredPositionGivesTheIdenticalRemainingSequence) {
  const PatternSource src(500, {3, 32, 32});
  const auto opts = training(16, 3);
  Loader a(src, opts, 1, 3);
  for (int k = 0; k < 4; ++k) a.next();  // mid-epoch: 10 batches per epoch for this rank
  const LoaderPosition saved = a.position();
  EXPECT_EQ(saved.epoch, 0);
  EXPECT_EQ(saved.offset, 4 * 16 * 3);
  std::vector<Batch> rest;
  for (int k = 0; k < 25; ++k) rest.push_back(*a.next());  // runs into epochs 1 and 2
  EXPECT_EQ(rest.back().epoch, 2);

  // A new loader (different thread count) from the saved integers.
  auto opts2 = opts;
  opts2.threads = 1;
  Loader b(src, opts2, 1, 3, saved);
  EXPECT_EQ(b.position(), saved);
  for (int k = 0; k < 25; ++k) ASSERT_TRUE(same_batch(*b.next(), rest[static_cast<std::size_t>(k)])) << "batch " << k;

  // restore() on a used loader does the same.
  Loader c(src, opts, 1, 3);
  for (int k = 0; k < 17; ++k) c.next();
  c.restore(saved);
  for (int k = 0; k < 25; ++k) ASSERT_TRUE(same_batch(*c.next(), rest[static_cast<std::size_t>(k)])) << "batch " << k;
}

TEST(Loader, PositionAtTheEndOfAnEpochIsTheStartOfTheNext) {
  const PatternSource src(100, {1, 4, 4});
  Loader l(src, training(30, 0), 0, 1);  // 3 batches per epoch, 10 images dropped
  for (int k = 0; k < 3; ++k) l.next();
  EXPECT_EQ(l.position().epoch, 1);
  EXPECT_EQ(l.position().offset, 0);
}

TEST(Loader, ResumingWithAnotherWorldSizeContinuesTheSameEpoch) {
  const PatternSource src(480, {1, 4, 4});
  std::vector<std::int64_t> before;
  LoaderPosition saved;
  {
    Loader r0(src, training(8), 0, 3), r1(src, training(8), 1, 3), r2(src, training(8), 2, 3);
    for (int k = 0; k < 5; ++k)
      for (Loader* l : {&r0, &r1, &r2}) {
        auto b = l->next();
        before.insert(before.end(), b->indices.begin(), b->indices.end());
      }
    saved = r0.position();
    EXPECT_EQ(saved, r2.position());
  }
  // Two ranks with batches of 12 finish epoch 0 from there: together with what was read before,
  // that is every image of the epoch once.
  std::vector<std::int64_t> after;
  for (int r = 0; r < 2; ++r) {
    Loader l(src, training(12), r, 2, saved);
    for (;;) {
      auto b = l.next();
      if (b->epoch != 0) break;
      after.insert(after.end(), b->indices.begin(), b->indices.end());
    }
  }
  std::vector<std::int64_t> all = before;
  all.insert(all.end(), after.begin(), after.end());
  std::sort(all.begin(), all.end());
  std::vector<std::int64_t> iota(480);
  std::iota(iota.begin(), iota.end(), 0);
  EXPECT_EQ(all, iota);
}

TEST(Loader, BatchesDoNotDependOnThreadsOrPrefetchDepth) {
  const PatternSource src(300, {3, 32, 32});
  std::vector<Batch> reference;
  {
    Loader l(src, training(7, 0), 0, 2);
    for (int k = 0; k < 50; ++k) reference.push_back(*l.next());
  }
  for (int threads : {1, 4})
    for (int prefetch : {1, 8}) {
      auto o = training(7, threads);
      o.prefetch = prefetch;
      Loader l(src, o, 0, 2);
      for (int k = 0; k < 50; ++k)
        ASSERT_TRUE(same_batch(*l.next(), reference[static_cast<std::size_t>(k)]))
            << "threads " << threads << " prefetch " << prefetch << " batch " << k;
    }
}

TEST(Loader, AugmentationIsTheDrawOfSeedEpochAndIndex) {
  const PatternSource src(64, {3, 32, 32});
  const auto o = training(16);
  Loader l(src, o, 0, 1);
  for (int k = 0; k < 8; ++k) {
    const Batch b = *l.next();
    std::vector<std::uint8_t> expected(3072);
    for (std::int64_t i = 0; i < b.size(); ++i) {
      const auto idx = b.indices[static_cast<std::size_t>(i)];
      apply_augment(src.image(idx).data(), expected.data(), b.shape, draw_augment(o.augment, o.seed, b.epoch, idx));
      ASSERT_TRUE(std::equal(expected.begin(), expected.end(), b.image(i)));
    }
  }
}

TEST(Loader, BlockShuffleKeepsStreamedReadsSequential) {
  // Blocks only (no shuffle windows): each batch is one block, one sequential read.
  config::DataConfig data;  // block_size 64
  data.shuffle_buffer = 0;
  config::SourceConfig sc;
  sc.shift = 0;
  for (const std::int64_t n : {64 * 40, 64 * 40 + 17}) {
    PatternSource src(n, {3, 32, 32}, 0);
    src.set_streamed(true);
    auto o = training_loader_options(data, sc, src, 64);
    EXPECT_EQ(o.block_size, 64);
    o.threads = 0;
    Loader l(src, o, 0, 1);
    for (int k = 0; k < 40; ++k) l.next();
    if (n % 64 == 0) {
      EXPECT_EQ(src.read_calls(), 40);  // one sequential read of one whole block per batch
    } else {
      // Blocks after the short one start mid-batch: still at most two sequential reads a batch.
      EXPECT_LE(src.read_calls(), 80);
      EXPECT_GE(src.read_calls(), 40);
    }
  }
  PatternSource not_streamed(1000, {1, 4, 4});
  EXPECT_EQ(training_loader_options(data, sc, not_streamed, 64).block_size, 1);
}

TEST(Loader, ReadErrorsReachTheConsumer) {
  PatternSource src(200, {1, 8, 8});
  src.fail_at(150);
  for (int threads : {0, 2}) {
    auto o = evaluation(10, threads);
    Loader l(src, o, 0, 1);
    for (int k = 0; k < 15; ++k) ASSERT_TRUE(l.next().has_value());
    test::expect_data_error([&] { l.next(); }, "pattern-file", "image 150 is unreadable");
    EXPECT_THROW(l.next(), DataError);  // and again: the loader does not skip past it
  }
}

TEST(Loader, RejectsWhatCannotWork) {
  const PatternSource src(100, {1, 4, 4});
  test::expect_data_error([&] { Loader l(src, training(40), 0, 3); }, "pattern", "fewer than one training step");
  EXPECT_THROW(Loader(src, training(4), 3, 3), std::invalid_argument);
  EXPECT_THROW(Loader(src, training(0), 0, 1), std::invalid_argument);
  Loader l(src, training(4), 0, 1);
  LoaderPosition p = l.position();
  p.seed += 1;
  EXPECT_THROW(l.restore(p), std::invalid_argument);
  p = l.position();
  p.size = 99;
  EXPECT_THROW(l.restore(p), std::invalid_argument);
  const PatternSource empty(0, {1, 4, 4});
  EXPECT_THROW(Loader(empty, evaluation(4), 0, 1), DataError);
}

// Note [Shuffle windows]: a streamed source with windows of several blocks.
LoaderOptions streamed_training(int batch, int threads = 2) {
  LoaderOptions o = training(batch, threads);
  o.block_size = 16;
  o.shuffle_buffer = 160;  // windows of 10 blocks
  return o;
}

TEST(Loader, StreamedWindowsKeepRanksAgreedAndResumeExact) {
  PatternSource src(16 * 60 + 5, {1, 8, 8});
  src.set_streamed(true);
  // Two ranks with batches of 5 interleave to exactly what one rank with batches of 10 reads.
  std::vector<std::int64_t> single, merged;
  {
    Loader l(src, streamed_training(10), 0, 1);
    while (single.size() < 3 * 960) {
      auto b = l.next();
      single.insert(single.end(), b->indices.begin(), b->indices.end());
    }
  }
  Loader r0(src, streamed_training(5), 0, 2), r1(src, streamed_training(5), 1, 2);
  while (merged.size() < 3 * 960) {
    for (Loader* l : {&r0, &r1}) {
      auto b = l->next();
      merged.insert(merged.end(), b->indices.begin(), b->indices.end());
    }
  }
  EXPECT_EQ(merged, single);
  // The order really mixes blocks: neighbours in a batch are rarely neighbours in the source.
  int consecutive = 0;
  for (std::size_t p = 1; p < 960; ++p) consecutive += single[p] == single[p - 1] + 1;
  EXPECT_LT(consecutive, 30);

  // Resume mid-window, mid-epoch: identical batches (pixels, labels, noise keys), with another
  // thread count; and with another world size the same epoch is completed exactly once.
  Loader a(src, streamed_training(8, 3), 1, 2);
  for (int k = 0; k < 7; ++k) a.next();
  const LoaderPosition saved = a.position();
  std::vector<Batch> rest;
  for (int k = 0; k < 150; ++k) rest.push_back(*a.next());  // into the next epochs
  EXPECT_GE(rest.back().epoch, 2);
  Loader b(src, streamed_training(8, 0), 1, 2, saved);
  for (int k = 0; k < 150; ++k) ASSERT_TRUE(same_batch(*b.next(), rest[static_cast<std::size_t>(k)])) << "batch " << k;
}

TEST(Loader, StreamedBatchesDoNotDependOnThreads) {
  PatternSource src(16 * 40, {3, 32, 32});
  src.set_streamed(true);
  std::vector<Batch> reference;
  {
    Loader l(src, streamed_training(7, 0), 0, 2);
    for (int k = 0; k < 60; ++k) reference.push_back(*l.next());
  }
  Loader l(src, streamed_training(7, 4), 0, 2);
  for (int k = 0; k < 60; ++k) ASSERT_TRUE(same_batch(*l.next(), reference[static_cast<std::size_t>(k)])) << k;
}

TEST(Loader, EveryStreamedImageIsAdvisedBeforeItIsRead) {
  // The read-ahead hint covers each window before a batch reads from it, and the next window
  // while the current one is read; after a restore it starts again where the loader stands.
  PatternSource src(16 * 50 + 3, {1, 4, 4});
  src.set_streamed(true);
  const auto covered = [&](std::int64_t index) {
    for (const auto& [first, count] : src.advised())
      if (index >= first && index < first + count) return true;
    return false;
  };
  Loader l(src, streamed_training(16, 0), 0, 1);
  for (int k = 0; k < 120; ++k) {  // 2+ epochs
    const Batch b = *l.next();
    for (const auto i : b.indices) ASSERT_TRUE(covered(i)) << "batch " << k << " image " << i << " not advised";
  }
  // Each block is advised once per epoch (5 windows: four of 10 blocks, the last of 11) x 3 epochs
  // at most, in whole blocks.
  const auto hints = src.advised();
  EXPECT_LE(hints.size(), 3u * 51u);
  for (const auto& [first, count] : hints) EXPECT_EQ(first % 16, 0);
  PatternSource plain(1000, {1, 4, 4});
  Loader in_memory(plain, training(16, 0), 0, 1);
  in_memory.next();
  EXPECT_TRUE(plain.advised().empty());  // in-memory sets need no read-ahead
}

TEST(Loader, OnlyStreamedSourcesGetShuffleWindows) {
  // The mixing itself is measured through the Tiny reader (test_stream_shuffle.cpp).
  const config::DataConfig data;
  const config::SourceConfig sc;
  PatternSource streamed(1000, {1, 2, 2});
  streamed.set_streamed(true);
  EXPECT_EQ(training_loader_options(data, sc, streamed, 64).shuffle_buffer, 65536);
  EXPECT_EQ(init_loader_options(data, sc, streamed, 64).shuffle_buffer, 65536);
  EXPECT_EQ(outlier_loader_options(data, sc, streamed, 64).shuffle_buffer, 65536);
  EXPECT_EQ(outlier_loader_options(data, sc, streamed, 64).seed, data.seed + 1);
  const PatternSource plain(1000, {1, 2, 2});  // in memory: shuffled image by image
  EXPECT_EQ(training_loader_options(data, sc, plain, 64).shuffle_buffer, 0);
}

TEST(Loader, ActNormInitBatchesAreTheFirstTrainingBatchesAugmented) {
  // method.md §1: the init statistics come from training batches as the loader gives them.
  const PatternSource src(1000, {3, 32, 32});
  const config::DataConfig data;
  config::SourceConfig sc;
  sc.hflip = true;
  const auto train = training_loader_options(data, sc, src, 16);
  const auto init = init_loader_options(data, sc, src, 16);
  EXPECT_DOUBLE_EQ(init.augment.shift, 3.2);
  EXPECT_TRUE(init.augment.hflip);
  Loader t(src, train, 0, 1), i(src, init, 0, 1);
  int augmented = 0;
  for (int k = 0; k < 11; ++k) {
    const Batch a = *t.next(), b = *i.next();
    ASSERT_TRUE(same_batch(a, b)) << "batch " << k;
    for (std::int64_t j = 0; j < b.size(); ++j) {
      const auto clean = src.image(b.indices[static_cast<std::size_t>(j)]);
      augmented += !std::equal(clean.begin(), clean.end(), b.image(j));
    }
  }
  EXPECT_GT(augmented, 11 * 16 / 2);  // most images shifted or flipped
}

}  // namespace
}  // namespace hierad::data
