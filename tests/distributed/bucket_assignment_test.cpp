// Bucket assignment is pure arithmetic: checked against hand-counted layouts and, for random
// parameter lists, against the invariants that the launch order relies on.
#include "src/distributed/bucket_assignment.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <stdexcept>

namespace hierad::distributed {
namespace {

constexpr std::int64_t kFloatsPerMiB = 1024 * 1024 / 4;

std::vector<std::size_t> params_of(const BucketLayout& bucket) {
  std::vector<std::size_t> out;
  for (const auto& slot : bucket.slots) out.push_back(slot.param);
  return out;
}

// Every parameter exactly once, in the bucket of its dtype, slots contiguous from 0, parameter
// indices decreasing within a dtype across the whole launch order, and each bucket closed exactly
// when it first reached its limit.
void expect_valid(const std::vector<BucketLayout>& buckets, const std::vector<TensorSpec>& specs,
                  const BucketOptions& options) {
  std::vector<int> seen(specs.size(), 0);
  std::map<at::ScalarType, std::size_t> last_param;  // per dtype, the last parameter placed
  std::map<at::ScalarType, std::vector<const BucketLayout*>> per_dtype;
  for (const BucketLayout& bucket : buckets) {
    std::int64_t offset = 0;
    for (const BucketSlot& slot : bucket.slots) {
      ASSERT_LT(slot.param, specs.size());
      ++seen[slot.param];
      EXPECT_EQ(specs[slot.param].dtype, bucket.dtype);
      EXPECT_EQ(slot.numel, specs[slot.param].numel);
      EXPECT_EQ(slot.offset, offset);
      offset += slot.numel;
      auto it = last_param.find(bucket.dtype);
      if (it != last_param.end()) {
        EXPECT_LT(slot.param, it->second) << "not in reversed order";
      }
      last_param[bucket.dtype] = slot.param;
    }
    EXPECT_EQ(bucket.numel, offset);
    per_dtype[bucket.dtype].push_back(&bucket);
  }
  for (std::size_t i = 0; i < specs.size(); ++i) EXPECT_EQ(seen[i], 1) << "parameter " << i;
  if (options.flat) {
    for (const auto& [dtype, list] : per_dtype) EXPECT_EQ(list.size(), 1u);
    return;
  }
  for (const auto& [dtype, list] : per_dtype) {
    const double element = static_cast<double>(c10::elementSize(dtype));
    for (std::size_t k = 0; k < list.size(); ++k) {
      const double limit = (k == 0 ? options.first_bucket_mb : options.bucket_mb) * 1024 * 1024;
      const double bytes = static_cast<double>(list[k]->numel) * element;
      const double without_last =
          bytes - static_cast<double>(list[k]->slots.back().numel) * element;
      EXPECT_LT(without_last, limit) << "bucket " << k << " should have closed earlier";
      if (k + 1 < list.size()) {
        EXPECT_GE(bytes, limit) << "bucket " << k << " closed too early";
      }
    }
  }
}

TEST(BucketAssignment, DefaultsGiveOneMiBFirstThenTwentyFiveMiB) {
  // 40 parameters of exactly 1 MiB: [39], [38..14] (25 MiB), [13..0] (the open rest, 14 MiB).
  const std::vector<TensorSpec> specs(40, TensorSpec{kFloatsPerMiB, at::kFloat});
  const auto buckets = assign_buckets(specs, BucketOptions{});
  ASSERT_EQ(buckets.size(), 3u);
  EXPECT_EQ(params_of(buckets[0]), std::vector<std::size_t>{39});
  EXPECT_EQ(buckets[1].slots.size(), 25u);
  EXPECT_EQ(buckets[1].slots.front().param, 38u);
  EXPECT_EQ(buckets[1].slots.back().param, 14u);
  EXPECT_EQ(buckets[2].slots.size(), 14u);
  EXPECT_EQ(buckets[2].slots.back().param, 0u);
  EXPECT_EQ(buckets[1].numel, 25 * kFloatsPerMiB);
  expect_valid(buckets, specs, BucketOptions{});
}

TEST(BucketAssignment, BucketClosesOnlyWhenItReachesTheLimit) {
  // One float short of 1 MiB does not close the first bucket; the next parameter joins it.
  const std::vector<TensorSpec> specs = {
      {10, at::kFloat}, {5, at::kFloat}, {kFloatsPerMiB - 1, at::kFloat}};
  const auto buckets = assign_buckets(specs, BucketOptions{});
  ASSERT_EQ(buckets.size(), 2u);
  EXPECT_EQ(params_of(buckets[0]), (std::vector<std::size_t>{2, 1}));
  EXPECT_EQ(buckets[0].slots[1].offset, kFloatsPerMiB - 1);
  EXPECT_EQ(params_of(buckets[1]), std::vector<std::size_t>{0});
}

TEST(BucketAssignment, OversizedParameterGetsItsOwnBucket) {
  const std::vector<TensorSpec> specs = {
      {1, at::kFloat}, {30 * kFloatsPerMiB, at::kFloat}, {2 * kFloatsPerMiB, at::kFloat}};
  const auto buckets = assign_buckets(specs, BucketOptions{});
  ASSERT_EQ(buckets.size(), 3u);
  EXPECT_EQ(params_of(buckets[0]), std::vector<std::size_t>{2});
  EXPECT_EQ(params_of(buckets[1]), std::vector<std::size_t>{1});
  EXPECT_EQ(params_of(buckets[2]), std::vector<std::size_t>{0});
}

TEST(BucketAssignment, DtypesNeverShareABucketAndEachStartsSmall) {
  // Doubles are twice the bytes: 131072 of them make the first 1 MiB bucket of their dtype.
  const std::vector<TensorSpec> specs = {{kFloatsPerMiB / 2, at::kDouble},
                                         {kFloatsPerMiB, at::kFloat},
                                         {kFloatsPerMiB / 2, at::kDouble},
                                         {kFloatsPerMiB, at::kFloat}};
  const auto buckets = assign_buckets(specs, BucketOptions{});
  ASSERT_EQ(buckets.size(), 4u);
  EXPECT_EQ(buckets[0].dtype, at::kFloat);
  EXPECT_EQ(params_of(buckets[0]), std::vector<std::size_t>{3});
  EXPECT_EQ(buckets[1].dtype, at::kDouble);
  EXPECT_EQ(params_of(buckets[1]), std::vector<std::size_t>{2});
  EXPECT_EQ(params_of(buckets[2]), std::vector<std::size_t>{1});
  EXPECT_EQ(params_of(buckets[3]), std::vector<std::size_t>{0});
  expect_valid(buckets, specs, BucketOptions{});
}

TEST(BucketAssignment, FlatModeIsOneBucketPerDtype) {
  BucketOptions flat;
  flat.flat = true;
  const std::vector<TensorSpec> specs(40, TensorSpec{kFloatsPerMiB, at::kFloat});
  const auto buckets = assign_buckets(specs, flat);
  ASSERT_EQ(buckets.size(), 1u);
  EXPECT_EQ(buckets[0].numel, 40 * kFloatsPerMiB);
  expect_valid(buckets, specs, flat);
}

TEST(BucketAssignment, RandomParameterListsKeepTheInvariants) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<std::int64_t> numel(0, 3000);
  std::uniform_int_distribution<int> count(0, 60);
  std::bernoulli_distribution is_double(0.3);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<TensorSpec> specs(static_cast<std::size_t>(count(rng)));
    for (auto& s : specs) s = TensorSpec{numel(rng), is_double(rng) ? at::kDouble : at::kFloat};
    BucketOptions options;
    options.first_bucket_mb = 0.002;  // ~2 KiB and ~20 KiB: many buckets per trial
    options.bucket_mb = 0.02;
    options.flat = trial % 10 == 0;
    expect_valid(assign_buckets(specs, options), specs, options);
    if (HasFailure()) FAIL() << "trial " << trial;
  }
}

TEST(BucketAssignment, NoParametersNoBuckets) {
  EXPECT_TRUE(assign_buckets({}, BucketOptions{}).empty());
}

TEST(BucketAssignment, RejectsSizesThatAreNotPositive) {
  for (double bad : {0.0, -1.0, std::nan(""), HUGE_VAL}) {
    BucketOptions first;
    first.first_bucket_mb = bad;
    EXPECT_THROW(assign_buckets({{1, at::kFloat}}, first), std::invalid_argument);
    BucketOptions cap;
    cap.bucket_mb = bad;
    EXPECT_THROW(assign_buckets({{1, at::kFloat}}, cap), std::invalid_argument);
  }
}

}  // namespace
}  // namespace hierad::distributed
