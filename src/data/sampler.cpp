#include "src/data/sampler.hpp"

#include "src/data/random.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

namespace hierad::data {

EpochOrder::EpochOrder(std::int64_t size, std::int64_t block_size, bool shuffle, std::uint64_t seed,
                       std::int64_t epoch)
    : size_(size), block_(block_size), short_len_(size % block_size) {
  if (size < 0 || block_size < 1)
    throw std::invalid_argument("EpochOrder: size " + std::to_string(size) + ", block size " +
                                std::to_string(block_size));
  if (!shuffle) return;
  const std::int64_t blocks = (size + block_size - 1) / block_size;
  order_.resize(static_cast<std::size_t>(blocks));
  std::iota(order_.begin(), order_.end(), std::int64_t{0});
  // Fisher-Yates, driven by a generator keyed on (seed, epoch) only.
  SplitMix64 rng(hash_key({seed, static_cast<std::uint64_t>(epoch), 0x5EEDull}));
  for (std::int64_t i = blocks - 1; i > 0; --i) {
    const auto j = static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(i + 1)));
    std::swap(order_[static_cast<std::size_t>(i)], order_[static_cast<std::size_t>(j)]);
  }
  if (short_len_ > 0) {
    const auto it = std::find(order_.begin(), order_.end(), blocks - 1);
    short_slot_ = it - order_.begin();
  }
}

std::int64_t EpochOrder::index_at(std::int64_t p) const {
  if (order_.empty()) return p;
  // Slots before the short block hold block_ positions each; the short block holds short_len_.
  std::int64_t slot, within;
  if (short_slot_ < 0 || p < short_slot_ * block_) {
    slot = p / block_;
    within = p % block_;
  } else if (p < short_slot_ * block_ + short_len_) {
    slot = short_slot_;
    within = p - short_slot_ * block_;
  } else {
    const std::int64_t q = p - short_slot_ * block_ - short_len_;
    slot = short_slot_ + 1 + q / block_;
    within = q % block_;
  }
  return order_[static_cast<std::size_t>(slot)] * block_ + within;
}

std::int64_t steps_in_epoch(const ShardGeometry& g, std::int64_t start) {
  const std::int64_t left = std::max<std::int64_t>(0, g.size - start);
  const std::int64_t per_step = g.batch * g.world;
  return g.drop_remainder ? left / per_step : (left + per_step - 1) / per_step;
}

PositionRange rank_positions(const ShardGeometry& g, std::int64_t start, std::int64_t step) {
  const std::int64_t begin = start + step * g.batch * g.world + std::int64_t{g.rank} * g.batch;
  const std::int64_t end = std::min(begin + g.batch, g.size);
  return begin < end ? PositionRange{begin, end} : PositionRange{end, end};
}

}  // namespace hierad::data
