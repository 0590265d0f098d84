// The loader: epoch order, this rank's shard, background prefetch, augmentation (sampler.hpp,
// augment.hpp), producing uint8 batches. Turning them into float tensors (dequantisation,
// pinned memory) is hierad_data_torch's job (to_tensor.hpp), so this part needs no LibTorch.
//
// Training: Loader(source, training_loader_options(...), rank, world); call next() forever, it
// rolls from one epoch into the next. Evaluation: evaluation_loader_options(...); next() returns
// std::nullopt after one pass in which every image was read exactly once across the ranks.
//
// Resuming: position() after a batch is a small struct of integers (seed, size, epoch, offset)
// that a checkpoint can store; a Loader given it (or restore()) yields exactly the batches that
// would have followed, because every batch is a pure function of (seed, epoch, step): the
// loader keeps no generator whose state would have to be saved.
//
// Threads: `threads` workers each build whole batches (read, decode, augment) up to `prefetch`
// batches ahead of the consumer; next() hands them out in order. threads = 0 builds each batch in
// next() itself. The Source must outlive the Loader; next()/position()/restore() are meant for one
// consumer thread.
#pragma once

#include "src/config/experiment_config.hpp"
#include "src/data/augment.hpp"
#include "src/data/sampler.hpp"
#include "src/data/source.hpp"

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace hierad::data {

struct LoaderOptions {
  int batch_size = 64;          // images per rank per batch
  std::uint64_t seed = 0;       // order and augmentation
  bool shuffle = true;          // false: source order (evaluation)
  int block_size = 1;           // shuffle unit: consecutive images kept together (sampler.hpp)
  std::int64_t shuffle_buffer = 0;  // images per shuffle window (Note [Shuffle windows]); 0 = blocks only
  bool drop_remainder = true;   // true: whole global steps only, equal batches on every rank
  bool repeat = true;           // true: endless epochs; false: one pass, then next() is empty
  AugmentOptions augment;       // off for evaluation
  int threads = 2;              // background workers; 0 = build batches in next()
  int prefetch = 4;             // batches built ahead of the consumer (>= 1)
};

// [data] + the source's own augmentation settings. Streamed sources (Tiny Images): blocks of
// data.block_size consecutive images mixed in windows of data.shuffle_buffer images; single
// images otherwise.
LoaderOptions training_loader_options(const config::DataConfig& data, const config::SourceConfig& source_config,
                                      const Source& source, int batch_size);
// The ActNorm data-init batches (method.md §1): training batches exactly as training delivers
// them (epoch 0's order, augmented; the trainer dequantises them with noise), as the authors did.
LoaderOptions init_loader_options(const config::DataConfig& data, const config::SourceConfig& source_config,
                                  const Source& source, int batch_size);
// The outlier loss's general-distribution batches (method.md §5): training options of the general
// source with a seed of their own (data.seed + 1), so they are not the training order.
LoaderOptions outlier_loader_options(const config::DataConfig& data, const config::SourceConfig& general_config,
                                     const Source& general, int batch_size);
// No shuffle, no augmentation, no repeat, nothing dropped; threads and prefetch from [data].
LoaderOptions evaluation_loader_options(const config::DataConfig& data, int batch_size);

// Where a loader stands: the next batch starts at global position `offset` of epoch `epoch`
// (positions consumed by all ranks together). seed and size are checked on restore.
struct LoaderPosition {
  std::uint64_t seed = 0;
  std::int64_t size = 0;
  std::int64_t epoch = 0;
  std::int64_t offset = 0;
  bool operator==(const LoaderPosition& o) const {
    return seed == o.seed && size == o.size && epoch == o.epoch && offset == o.offset;
  }
};

// std::allocator, except that resize() leaves new bytes uninitialised: batch buffers are
// overwritten by the reader at once, so zeroing them first would only cost a pass over memory.
template <typename T>
struct UninitialisedAllocator : std::allocator<T> {
  template <typename U>
  struct rebind {
    using other = UninitialisedAllocator<U>;
  };
  UninitialisedAllocator() = default;
  template <typename U>
  UninitialisedAllocator(const UninitialisedAllocator<U>&) noexcept {}
  template <typename U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};
using PixelBuffer = std::vector<std::uint8_t, UninitialisedAllocator<std::uint8_t>>;

struct Batch {
  std::int64_t epoch = 0;
  std::int64_t first_position = 0;     // epoch position of this batch's first image
  Shape shape;                          // of one image
  PixelBuffer pixels;                   // size() images of shape.bytes(), (C, H, W) each
  std::vector<std::int64_t> indices;    // source index of each image
  std::vector<std::int32_t> labels;     // label of each image, -1 where none
  // Key of this epoch's dequantisation noise: image i's noise is drawn from a generator seeded with
  // hash(noise_seed, first_position + i) (dequantize.hpp), so an image gets the same noise whichever
  // rank and batch it lands in: 1 rank with batch 8 and 2 ranks with 4 see identical inputs.
  std::uint64_t noise_seed = 0;

  std::int64_t size() const { return static_cast<std::int64_t>(indices.size()); }
  const std::uint8_t* image(std::int64_t i) const { return pixels.data() + i * shape.bytes(); }
};

class Loader {
 public:
  // Throws std::invalid_argument for bad options or rank/world, and DataError if the source is
  // empty or (training) smaller than one global step of batch_size * world images.
  Loader(const Source& source, LoaderOptions options, int rank = 0, int world = 1);
  Loader(const Source& source, LoaderOptions options, int rank, int world, const LoaderPosition& start);
  ~Loader();
  Loader(const Loader&) = delete;
  Loader& operator=(const Loader&) = delete;

  // The next batch of this rank, or nullopt at the end of a one-pass (repeat = false) loader.
  // Errors from reading (DataError) are rethrown here, and again on every later call.
  std::optional<Batch> next();

  // Position after the last batch next() returned (the start position before the first).
  LoaderPosition position() const;
  // Continues from `p` (from position() of a loader over the same source with the same seed; the
  // world size and batch size may differ). Throws std::invalid_argument on a seed or size mismatch.
  void restore(const LoaderPosition& p);

  // Batches this rank gets in a whole epoch (from offset 0).
  std::int64_t batches_per_epoch() const;
  // Most batches any rank gets in a whole epoch (evaluation: ranks may differ by one).
  std::int64_t max_batches_per_epoch() const;
  const LoaderOptions& options() const { return options_; }
  const ShardGeometry& geometry() const { return geometry_; }

 private:
  struct Job {
    std::int64_t seq = 0;
    std::int64_t epoch = 0;
    std::int64_t start = 0;
    std::int64_t step = 0;
    std::shared_ptr<const EpochOrder> order;
    std::vector<std::int64_t> advise_windows;  // windows of `order` to ask the source to bring in
    LoaderPosition after;
  };
  struct Result {
    std::optional<Batch> batch;
    std::exception_ptr error;
    LoaderPosition after;
  };

  LoaderPosition normalised(std::int64_t epoch, std::int64_t offset) const;
  bool plan_next(Job& job);  // caller holds mutex_ (or no workers run)
  void plan_advice(Job& job);  // the same
  Batch make_batch(const Job& job) const;
  void reset_plan(const LoaderPosition& p);
  void start_workers();
  void stop_workers();
  void wake_workers_if_room();  // caller holds mutex_
  void worker_loop();

  const Source& source_;
  LoaderOptions options_;
  ShardGeometry geometry_;

  mutable std::mutex mutex_;
  std::condition_variable work_cv_;   // workers wait for room to prefetch
  std::condition_variable ready_cv_;  // the consumer waits for its batch
  bool stop_ = false;
  std::vector<std::thread> workers_;

  // Planning cursor: the next global step to hand out.
  std::int64_t plan_epoch_ = 0, plan_start_ = 0, plan_step_ = 0;
  bool plan_done_ = false;
  std::shared_ptr<const EpochOrder> plan_order_;
  std::int64_t advised_epoch_ = -1, advised_window_ = -1;  // the last window handed out for advice
  std::int64_t next_seq_ = 0;      // next job number to hand out
  std::int64_t consumed_seq_ = 0;  // next job number next() returns
  std::map<std::int64_t, Result> ready_;
  std::exception_ptr failed_;
  LoaderPosition position_;
};

}  // namespace hierad::data
