// Epoch order and sharding: which image each rank reads at each step.
//
// Order. The epoch is a permutation of the source's N images, a function of (seed, epoch) only,
// so it is identical on every rank. The unit of shuffling is a block of `block_size` consecutive
// images (1 = shuffle single images; 64 for the Tiny stream, so reads stay sequential within a
// block). Blocks are numbered over the source in order; the last one is short if block_size does
// not divide N. With shuffle off the order is 0, 1, ..., N-1.
//
// Note [Shuffle windows]
// Blocks alone would make every batch of a streamed set one block of consecutive images: for 80M
// Tiny Images, whose file is ordered by search keyword, one concept per batch. So the block order
// is cut into windows of `window_images` / block_size consecutive slots (a window = a random set
// of blocks, shuffle_buffer images), and the positions of each window are permuted by a keyed
// bijection of its own (IndexPermutation, keyed on seed, epoch and window): a batch draws single
// images from across all the window's blocks. The last window of an epoch also takes the
// remainder of the blocks (up to twice a window), so no batch comes from a small leftover window.
// Position p maps to its window (p / window images, corrected for the short block) and to its
// image there without any table beyond the block order, so order, sharding, resume at any
// position and any world size stay what they were: a pure function of (seed, epoch, position),
// nothing to store in a checkpoint. The window is what the reader keeps resident: the loader asks
// the source to bring each next window's blocks in (Source::will_need), whole blocks in slot
// order, i.e. sequential reads in a random order of blocks, into the page cache, which serves
// every rank of a node. window_images = 0: blocks only, the order before windows existed.
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

// A run of `count` consecutive source images from `first`.
struct ImageRun {
  std::int64_t first = 0;
  std::int64_t count = 0;
};

class EpochOrder {
 public:
  // window_images: images per shuffle window (Note [Shuffle windows]), rounded down to whole
  // blocks, at least one; 0 = no windows (blocks only). Ignored without shuffle.
  EpochOrder(std::int64_t size, std::int64_t block_size, bool shuffle, std::uint64_t seed, std::int64_t epoch,
             std::int64_t window_images = 0);

  std::int64_t size() const { return size_; }
  // The source index at position `position` of this epoch.
  std::int64_t index_at(std::int64_t position) const;
  // index_at(first .. first+n-1) into out (one window permutation per window, not per image).
  void indices(std::int64_t first, std::int64_t n, std::int64_t* out) const;

  // Windows of this epoch (1 without windows or shuffle), the window of a position, the first
  // position of a window (window == windows(): size()), and a window's blocks as runs of source
  // images in slot order.
  std::int64_t windows() const;
  std::int64_t window_at(std::int64_t position) const;
  std::int64_t window_begin(std::int64_t window) const;
  std::vector<ImageRun> window_blocks(std::int64_t window) const;

 private:
  std::int64_t slot_start(std::int64_t slot) const;        // position of a slot's first image in block order
  std::int64_t block_order_index(std::int64_t q) const;    // source index at block-order position q

  std::int64_t size_;
  std::int64_t block_;
  std::int64_t blocks_ = 0;
  std::int64_t short_len_;             // length of the short last block (0 if none)
  std::int64_t short_slot_ = -1;       // its slot in the permuted order
  std::int64_t window_slots_ = 0;      // blocks per window; 0 = no windows
  std::uint64_t window_key_ = 0;       // keys each window's permutation, with the window number
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
