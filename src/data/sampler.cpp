#include "src/data/sampler.hpp"

#include "src/data/random.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

namespace hierad::data {

EpochOrder::EpochOrder(std::int64_t size, std::int64_t block_size, bool shuffle, std::uint64_t seed,
                       std::int64_t epoch, std::int64_t window_images)
    : size_(size), block_(block_size), short_len_(size % block_size) {
  if (size < 0 || block_size < 1 || window_images < 0)
    throw std::invalid_argument("EpochOrder: size " + std::to_string(size) + ", block size " +
                                std::to_string(block_size) + ", window " + std::to_string(window_images));
  const std::int64_t blocks = (size + block_size - 1) / block_size;
  blocks_ = blocks;
  if (!shuffle) return;
  if (window_images > 0) {
    window_slots_ = std::max<std::int64_t>(1, window_images / block_size);
    window_key_ = hash_key({seed, static_cast<std::uint64_t>(epoch), 0x5111DE5ull});
  }
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

std::int64_t EpochOrder::slot_start(std::int64_t slot) const {
  // Slots before the short block hold block_ positions each; the short block holds short_len_.
  std::int64_t q = slot * block_;
  if (short_slot_ >= 0 && short_slot_ < slot) q -= block_ - short_len_;
  return q;
}

std::int64_t EpochOrder::windows() const {
  if (window_slots_ == 0 || order_.empty()) return 1;
  // The last window takes the remainder (window_slots_ to 2 window_slots_ - 1 blocks): a short
  // one of a few blocks would make its batches a few blocks each.
  return std::max<std::int64_t>(1, blocks_ / window_slots_);
}

std::int64_t EpochOrder::window_begin(std::int64_t w) const {
  if (window_slots_ == 0 || order_.empty()) return w == 0 ? 0 : size_;
  return w >= windows() ? size_ : slot_start(w * window_slots_);
}

std::int64_t EpochOrder::window_at(std::int64_t p) const {
  if (window_slots_ == 0 || order_.empty()) return 0;
  // Every window before the short block's holds window_slots_ * block_ positions; from there on
  // they start block_ - short_len_ earlier, so the quotient is the window or the one before it.
  std::int64_t w = std::min(p / (window_slots_ * block_), windows() - 1);
  while (w + 1 < windows() && window_begin(w + 1) <= p) ++w;
  return w;
}

std::vector<ImageRun> EpochOrder::window_blocks(std::int64_t w) const {
  std::vector<ImageRun> runs;
  if (order_.empty()) {
    if (w == 0 && size_ > 0) runs.push_back({0, size_});
    return runs;
  }
  const std::int64_t first_slot = window_slots_ == 0 ? 0 : w * window_slots_;
  const std::int64_t end_slot = window_slots_ == 0 || w + 1 >= windows() ? blocks_ : first_slot + window_slots_;
  for (std::int64_t slot = first_slot; slot < end_slot; ++slot) {
    const std::int64_t id = order_[static_cast<std::size_t>(slot)];
    runs.push_back({id * block_, std::min(block_, size_ - id * block_)});
  }
  return runs;
}

std::int64_t EpochOrder::index_at(std::int64_t p) const {
  std::int64_t index = 0;
  indices(p, 1, &index);
  return index;
}

void EpochOrder::indices(std::int64_t first, std::int64_t n, std::int64_t* out) const {
  if (order_.empty()) {
    for (std::int64_t i = 0; i < n; ++i) out[i] = first + i;
    return;
  }
  if (window_slots_ == 0) {
    for (std::int64_t i = 0; i < n; ++i) out[i] = block_order_index(first + i);
    return;
  }
  for (std::int64_t i = 0; i < n;) {
    const std::int64_t w = window_at(first + i);
    const std::int64_t begin = window_begin(w), end = window_begin(w + 1);
    const IndexPermutation within(static_cast<std::uint64_t>(end - begin),
                                  mix64(window_key_ ^ mix64(static_cast<std::uint64_t>(w))));
    for (; i < n && first + i < end; ++i)
      out[i] = block_order_index(begin + static_cast<std::int64_t>(within(static_cast<std::uint64_t>(first + i - begin))));
  }
}

std::int64_t EpochOrder::block_order_index(std::int64_t p) const {
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
