// Epoch order and sharding: which image each rank reads at each step.
//
// Order. The epoch is a permutation of the source's N images, a function of (seed, epoch) only,
// so it is identical on every rank. The unit of shuffling is a block of `block_size` consecutive
// images (1 = shuffle single images; 64 for the Tiny stream, so reads stay sequential within a
// block). Blocks are numbered over the source in order; the last one is short if block_size does
// not divide N. With shuffle off the order is 0, 1, ..., N-1.
//
// Sharding. Position p (0 <= p < N) of the epoch order is read in global step
// s = (p - start) / (B*w), by rank r = ((p - start) mod (B*w)) / B, for batch size B per rank and
// world size w: each step takes the next B*w positions, and rank r the r-th batch of them. Ranks
// are disjoint by construction and their union is the epoch. `start` is 0 except right after a
// restore, when it is the global offset the run had reached (so a run resumed with a different
// world size still continues from the same place in the same order).
//
// The remainder. Training (drop_remainder = true): only whole global steps are used, so every
// rank gets the same number of full batches and the last (N - start) mod (B*w) positions of the
// epoch are not used in that epoch (a different tail every epoch, as the order changes).
// Evaluation (drop_remainder = false): the last step is partial, so some ranks get a short batch
// or none, and every image is read exactly once across ranks.
#pragma once

#include <cstdint>
#include <vector>

namespace hierad::data {

class EpochOrder {
 public:
  EpochOrder(std::int64_t size, std::int64_t block_size, bool shuffle, std::uint64_t seed, std::int64_t epoch);

  std::int64_t size() const { return size_; }
  // The source index at position `position` of this epoch.
  std::int64_t index_at(std::int64_t position) const;

 private:
  std::int64_t size_;
  std::int64_t block_;
  std::int64_t short_len_;             // length of the short last block (0 if none)
  std::int64_t short_slot_ = -1;       // its slot in the permuted order
  std::vector<std::int64_t> order_;    // slot -> block id; empty when not shuffled
};

struct ShardGeometry {
  std::int64_t size = 0;    // N
  std::int64_t batch = 1;   // B, per rank
  int rank = 0;
  int world = 1;
  bool drop_remainder = true;
};

// Number of global steps in an epoch whose first unread position is `start`.
std::int64_t steps_in_epoch(const ShardGeometry& g, std::int64_t start);

// Positions [begin, end) of the epoch that rank g.rank reads in global step `step`; empty
// (begin == end) when that rank has nothing in a partial last step.
struct PositionRange {
  std::int64_t begin = 0;
  std::int64_t end = 0;
  std::int64_t size() const { return end - begin; }
};
PositionRange rank_positions(const ShardGeometry& g, std::int64_t start, std::int64_t step);

}  // namespace hierad::data
