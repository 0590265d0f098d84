#include "src/data/loader.hpp"

#include "src/data/data_error.hpp"
#include "src/data/random.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

namespace hierad::data {

LoaderOptions training_loader_options(const config::DataConfig& data, const config::SourceConfig& source_config,
                                      const Source& source, int batch_size) {
  LoaderOptions o;
  o.batch_size = batch_size;
  o.seed = data.seed;
  o.shuffle = true;
  o.block_size = source.streamed() ? data.block_size : 1;
  o.shuffle_buffer = source.streamed() ? data.shuffle_buffer : 0;
  o.drop_remainder = true;
  o.repeat = true;
  o.augment = {source_config.shift, source_config.hflip};
  o.threads = data.loader_threads;
  o.prefetch = data.prefetch_batches;
  return o;
}

LoaderOptions init_loader_options(const config::DataConfig& data, const config::SourceConfig& source_config,
                                  const Source& source, int batch_size) {
  return training_loader_options(data, source_config, source, batch_size);
}

LoaderOptions outlier_loader_options(const config::DataConfig& data, const config::SourceConfig& general_config,
                                     const Source& general, int batch_size) {
  LoaderOptions o = training_loader_options(data, general_config, general, batch_size);
  o.seed = data.seed + 1;
  return o;
}

LoaderOptions evaluation_loader_options(const config::DataConfig& data, int batch_size) {
  LoaderOptions o;
  o.batch_size = batch_size;
  o.seed = data.seed;
  o.shuffle = false;
  o.block_size = 1;
  o.drop_remainder = false;
  o.repeat = false;
  o.augment = {};
  o.threads = data.loader_threads;
  o.prefetch = data.prefetch_batches;
  return o;
}

Loader::Loader(const Source& source, LoaderOptions options, int rank, int world)
    : Loader(source, options, rank, world, LoaderPosition{options.seed, source.size(), 0, 0}) {}

Loader::Loader(const Source& source, LoaderOptions options, int rank, int world, const LoaderPosition& start)
    : source_(source), options_(options) {
  const auto bad = [](const std::string& what) { throw std::invalid_argument("Loader: " + what); };
  if (options_.batch_size < 1) bad("batch_size must be >= 1, got " + std::to_string(options_.batch_size));
  if (options_.block_size < 1) bad("block_size must be >= 1, got " + std::to_string(options_.block_size));
  if (options_.shuffle_buffer < 0) bad("shuffle_buffer must be >= 0, got " + std::to_string(options_.shuffle_buffer));
  if (options_.threads < 0) bad("threads must be >= 0, got " + std::to_string(options_.threads));
  if (options_.prefetch < 1) bad("prefetch must be >= 1, got " + std::to_string(options_.prefetch));
  if (options_.augment.shift < 0) bad("augmentation shift must be >= 0");
  if (world < 1 || rank < 0 || rank >= world)
    bad("rank " + std::to_string(rank) + " is not in a world of " + std::to_string(world));
  geometry_ = {source.size(), options_.batch_size, rank, world, options_.drop_remainder};
  if (source.size() == 0) throw DataError(source.name(), "has no images");
  if (options_.repeat && steps_in_epoch(geometry_, 0) == 0)
    throw DataError(source.name(), "has " + std::to_string(source.size()) + " images, fewer than one training step of " +
                                       std::to_string(options_.batch_size) + " images x " + std::to_string(world) +
                                       " ranks");
  restore(start);
}

Loader::~Loader() { stop_workers(); }

LoaderPosition Loader::normalised(std::int64_t epoch, std::int64_t offset) const {
  // An offset with no step left in its epoch is the start of the next epoch.
  if (options_.repeat && steps_in_epoch(geometry_, offset) == 0) return {options_.seed, geometry_.size, epoch + 1, 0};
  return {options_.seed, geometry_.size, epoch, offset};
}

void Loader::restore(const LoaderPosition& p) {
  if (p.seed != options_.seed)
    throw std::invalid_argument("Loader::restore: position has seed " + std::to_string(p.seed) +
                                ", this loader uses seed " + std::to_string(options_.seed));
  if (p.size != geometry_.size)
    throw std::invalid_argument("Loader::restore: position is for a source of " + std::to_string(p.size) +
                                " images, " + source_.name() + " has " + std::to_string(geometry_.size));
  if (p.epoch < 0 || p.offset < 0 || p.offset > geometry_.size)
    throw std::invalid_argument("Loader::restore: invalid position epoch " + std::to_string(p.epoch) + ", offset " +
                                std::to_string(p.offset));
  stop_workers();
  position_ = normalised(p.epoch, p.offset);
  reset_plan(position_);
  start_workers();
}

void Loader::reset_plan(const LoaderPosition& p) {
  plan_epoch_ = p.epoch;
  plan_start_ = p.offset;
  plan_step_ = 0;
  plan_done_ = false;
  plan_order_.reset();
  advised_epoch_ = advised_window_ = -1;
  next_seq_ = 0;
  consumed_seq_ = 0;
  ready_.clear();
  failed_ = nullptr;
}

bool Loader::plan_next(Job& job) {
  while (!plan_done_) {
    if (plan_step_ >= steps_in_epoch(geometry_, plan_start_)) {
      if (!options_.repeat) {
        plan_done_ = true;
        return false;
      }
      ++plan_epoch_;
      plan_start_ = 0;
      plan_step_ = 0;
      plan_order_.reset();
      continue;
    }
    const std::int64_t step = plan_step_++;
    if (rank_positions(geometry_, plan_start_, step).size() == 0) continue;  // partial last step: not this rank
    if (!plan_order_)
      plan_order_ = std::make_shared<const EpochOrder>(geometry_.size, options_.block_size, options_.shuffle,
                                                       options_.seed, plan_epoch_, options_.shuffle_buffer);
    job.seq = next_seq_++;
    job.epoch = plan_epoch_;
    job.start = plan_start_;
    job.step = step;
    job.order = plan_order_;
    plan_advice(job);
    const std::int64_t end = plan_start_ + (step + 1) * geometry_.batch * geometry_.world;
    job.after = normalised(plan_epoch_, std::min(end, geometry_.size));
    return true;
  }
  return false;
}

void Loader::plan_advice(Job& job) {
  // Note [Shuffle windows]: while a global step reads window w, the source is asked to bring in
  // window w + 1 (of the same epoch), so its blocks are read ahead in their random slot order while
  // window w is consumed. Every rank asks for the whole window: each reads images from all of its
  // blocks, and on one node the page cache holds them once.
  job.advise_windows.clear();
  if (!source_.streamed() || options_.shuffle_buffer <= 0 || !options_.shuffle) return;
  const std::int64_t per_step = geometry_.batch * geometry_.world;
  const std::int64_t begin = job.start + job.step * per_step;
  const std::int64_t last = std::min(begin + per_step, geometry_.size) - 1;
  const std::int64_t wanted = std::min(job.order->window_at(last) + 1, job.order->windows() - 1);
  if (advised_epoch_ != job.epoch) {
    advised_epoch_ = job.epoch;
    advised_window_ = job.order->window_at(begin) - 1;
  }
  for (; advised_window_ < wanted; ++advised_window_) job.advise_windows.push_back(advised_window_ + 1);
}

Batch Loader::make_batch(const Job& job) const {
  const PositionRange range = rank_positions(geometry_, job.start, job.step);
  const std::int64_t n = range.size();
  Batch b;
  b.epoch = job.epoch;
  b.first_position = range.begin;
  b.shape = source_.shape();
  b.noise_seed = hash_key({options_.seed, static_cast<std::uint64_t>(job.epoch), 0xD0ull});
  const std::int64_t bytes = b.shape.bytes();
  b.indices.resize(static_cast<std::size_t>(n));
  job.order->indices(range.begin, n, b.indices.data());
  for (const std::int64_t w : job.advise_windows)
    for (const ImageRun& run : job.order->window_blocks(w)) source_.will_need(run.first, run.count);
  b.pixels.resize(static_cast<std::size_t>(n * bytes));
  // One read per run of consecutive source indices (whole blocks without shuffle windows).
  source_.read_indices(b.indices.data(), n, b.pixels.data());
  b.labels.resize(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i)
    b.labels[static_cast<std::size_t>(i)] = source_.label(b.indices[static_cast<std::size_t>(i)]);
  if (options_.augment.enabled()) {
    for (std::int64_t i = 0; i < n; ++i) {
      const AugmentDraw d = draw_augment(options_.augment, options_.seed, job.epoch, b.indices[static_cast<std::size_t>(i)]);
      apply_augment_inplace(b.pixels.data() + i * bytes, b.shape, d);
    }
  }
  return b;
}

void Loader::start_workers() {
  stop_ = false;
  for (int t = 0; t < options_.threads; ++t) workers_.emplace_back([this] { worker_loop(); });
}

void Loader::stop_workers() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : workers_) t.join();
  workers_.clear();
}

void Loader::wake_workers_if_room() {
  // Sleeping workers are woken once half the prefetch depth is free (not for every batch): on a
  // busy machine every wake-up waits for a time slice, so fewer, longer bursts go faster. The
  // batch next() waits for is always covered: while unclaimed, all of the depth is free.
  const std::int64_t room = consumed_seq_ + options_.prefetch - next_seq_;
  if (!plan_done_ && room >= std::max(1, options_.prefetch / 2)) work_cv_.notify_all();
}

void Loader::worker_loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    work_cv_.wait(lock, [&] { return stop_ || (!plan_done_ && next_seq_ < consumed_seq_ + options_.prefetch); });
    if (stop_) return;
    Job job;
    if (!plan_next(job)) {
      ready_cv_.notify_all();  // the consumer may be waiting for the end
      continue;
    }
    lock.unlock();
    Result r;
    r.after = job.after;
    try {
      r.batch = make_batch(job);
    } catch (...) {
      r.error = std::current_exception();
    }
    lock.lock();
    ready_.emplace(job.seq, std::move(r));
    ready_cv_.notify_all();
  }
}

std::optional<Batch> Loader::next() {
  if (failed_) std::rethrow_exception(failed_);
  Result r;
  if (workers_.empty()) {
    Job job;
    if (!plan_next(job)) return std::nullopt;
    ++consumed_seq_;
    r.after = job.after;
    try {
      r.batch = make_batch(job);
    } catch (...) {
      failed_ = std::current_exception();
      throw;
    }
  } else {
    std::unique_lock<std::mutex> lock(mutex_);
    wake_workers_if_room();
    ready_cv_.wait(lock, [&] { return ready_.count(consumed_seq_) > 0 || (plan_done_ && consumed_seq_ == next_seq_); });
    const auto it = ready_.find(consumed_seq_);
    if (it == ready_.end()) return std::nullopt;
    r = std::move(it->second);
    ready_.erase(it);
    ++consumed_seq_;
    wake_workers_if_room();
    if (r.error) {
      failed_ = r.error;
      std::rethrow_exception(failed_);
    }
  }
  position_ = r.after;
  return std::move(r.batch);
}

LoaderPosition Loader::position() const { return position_; }

std::int64_t Loader::batches_per_epoch() const {
  // Every step but the last is full; in evaluation the last one may leave this rank out.
  const std::int64_t steps = steps_in_epoch(geometry_, 0);
  if (steps == 0) return 0;
  return steps - (rank_positions(geometry_, 0, steps - 1).size() == 0 ? 1 : 0);
}

std::int64_t Loader::max_batches_per_epoch() const { return steps_in_epoch(geometry_, 0); }

}  // namespace hierad::data
