#include "src/train/trainer.hpp"

#include "src/config/config_error.hpp"
#include "src/config/config_io.hpp"
#include "src/data/data_error.hpp"
#include "src/data/make_source.hpp"
#include "src/data/to_tensor.hpp"
#include "src/distributed/broadcast.hpp"
#include "src/distributed/flat_parameters.hpp"
#include "src/distributed/grad_sync.hpp"
#include "src/distributed/stop_signal.hpp"
#include "src/model_io/checkpoint_lookup.hpp"
#include "src/model_io/glow_factory.hpp"
#include "src/model_io/model_state.hpp"
#include "src/train/gradient_check.hpp"
#include "src/train/losses.hpp"
#include "src/train/progress.hpp"
#include "src/train/stop_agreement.hpp"
#include "src/train/training_state.hpp"
#include "src/util/log.hpp"
#include "src/util/runtime_info.hpp"
#include "storage/checkpoint_dir.hpp"
#include "storage/durable_file.hpp"
#include "storage/metrics_log.hpp"
#include "storage/training_end.hpp"

#include <ATen/ATen.h>
#include <ATen/record_function.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <memory>
#include <optional>
#include <stdexcept>

namespace hierad::train {
namespace {

using Clock = std::chrono::steady_clock;

const config::SourceConfig& training_source(const config::ExperimentConfig& experiment) {
  const auto& data = experiment.data;
  const auto& source = experiment.train.on == "general" ? data.general : data.in_dist;
  if (!source) {
    throw config::ConfigError(experiment.source.string(), 0, 0, "train.on",
                              "= \"" + experiment.train.on + "\" needs a [data." + experiment.train.on + "] section");
  }
  return *source;
}

// Sum over ranks, in place, for ActNorm's init statistics (float64 host tensors from the model).
model::AllReduceSum allreduce_sum(distributed::Communicator& comm, const at::Device& device) {
  return [&comm, device](at::Tensor& values) {
    at::Tensor on_device = values.to(device);
    comm.allreduce(on_device, distributed::ReduceOp::kSum)->synchronize();
    values.copy_(on_device);
  };
}

// How a key naming another run's model is looked up (model_io/checkpoint_lookup.hpp).
model_io::ModelLookup other_model(const config::ExperimentConfig& experiment, const char* key) {
  return {key, "train.accept_older_checkpoint (or hierad train --accept-older-checkpoint)",
          experiment.train.accept_older_checkpoint};
}

// The run: everything train() sets up, and the step loop.
class TrainingRun {
 public:
  TrainingRun(const config::ExperimentConfig& experiment, std::filesystem::path run_dir,
              distributed::Communicator& comm, const at::Device& device)
      : cfg_(experiment),
        run_dir_(std::move(run_dir)),
        comm_(comm),
        device_(device),
        to_tensor_(device),
        checkpoints_(run_dir_ / "checkpoints", experiment.train.keep_checkpoints) {}

  TrainOutcome run(bool must_resume);

 private:
  void write_run_files();
  void build_model();
  std::optional<storage::Checkpoint> find_resume_checkpoint();
  void initialise_actnorm(const data::Source& source);
  void broadcast_state();
  at::Tensor step_loss(const data::Batch& batch);
  void train_step(std::int64_t global_batch);
  double learning_rate(std::int64_t step) const;
  std::int64_t read_skipped_steps();
  void log_window(double seconds);
  void validate();
  void checkpoint();

  const config::ExperimentConfig& cfg_;
  std::filesystem::path run_dir_;
  distributed::Communicator& comm_;
  at::Device device_;
  data::BatchToTensor to_tensor_;
  storage::CheckpointDir checkpoints_;
  storage::Metadata run_metadata_;

  model::Glow model_{nullptr};
  std::unique_ptr<distributed::FlatParameters> flat_;  // Note [Flat parameters]
  std::unique_ptr<Adamax> optimizer_;
  std::unique_ptr<distributed::GradSync> sync_;
  std::unique_ptr<data::Source> source_;
  std::unique_ptr<data::Loader> loader_;
  // Outlier loss: the frozen general model and its own stream of general-distribution images.
  model::Glow general_{nullptr};
  std::unique_ptr<data::Source> outlier_source_;
  std::unique_ptr<data::Loader> outlier_loader_;

  Counters counters_;
  std::optional<storage::MetricsLog> metrics_;
  std::optional<storage::MetricsLog> validation_log_;
  // Running sums of the current logging window (this rank), on the device so that no step waits
  // for the GPU (read once per window): [loss * images, bpd sum]; the last step's gradient norm;
  // skipped steps since the start of the run (counters_.skipped_steps is brought up to date from
  // it at logging and checkpoint time).
  at::Tensor window_sums_, last_grad_norm_, skipped_;
  double window_images_ = 0;
  std::int64_t skipped_at_window_start_ = 0;
  double last_bpd_ = 0;
  std::filesystem::path last_checkpoint_;
};

void TrainingRun::write_run_files() {
  // Every rank, so that all fail alike (and none waits in a collective for a rank that failed).
  storage::require_writable_directory(checkpoints_.dir());
  const std::string resolved = config::to_toml(cfg_);
  run_metadata_["config"] = resolved;
  run_metadata_["versions"] = util::versions_line(util::query_runtime_info());
  run_metadata_["experiment"] = cfg_.name;
  run_metadata_["run_id"] = run_dir_.filename().string();
  if (comm_.rank() != 0) return;
  std::ofstream config(run_dir_ / "config.toml");
  config << resolved;
  config.close();
  if (!config) throw std::runtime_error((run_dir_ / "config.toml").string() + ": cannot write the resolved config");
}

void TrainingRun::build_model() {
  at::manual_seed(cfg_.train.seed);  // identical initial weights on every rank
  model_ = model::Glow(model_io::glow_options(cfg_.model));
  model_->to(device_);
  // After the move to the device, before anything else holds on to the parameters.
  std::vector<at::Tensor> params;
  std::vector<std::string> names;
  for (auto& item : model_->named_parameters()) {
    names.push_back(item.key());
    params.push_back(item.value());
  }
  distributed::BucketOptions buckets;
  buckets.bucket_mb = cfg_.train.bucket_mb;
  flat_ = std::make_unique<distributed::FlatParameters>(std::move(params), buckets);
  AdamaxOptions options;
  options.lr = cfg_.train.lr;
  options.weight_decay = cfg_.train.weight_decay;
  optimizer_ = std::make_unique<Adamax>(*flat_, std::move(names), options);
  const auto on_device = at::TensorOptions().device(device_);
  window_sums_ = at::zeros({2}, on_device.dtype(at::kDouble));
  last_grad_norm_ = at::zeros({}, on_device.dtype(at::kFloat));
  skipped_ = at::zeros({}, on_device.dtype(at::kLong));
}

void TrainingRun::initialise_actnorm(const data::Source& source) {
  const int world = comm_.size();
  const int global = cfg_.model.init_batch_size;
  if (global % world != 0) {
    throw config::ConfigError(cfg_.source.string(), 0, 0, "model.init_batch_size",
                              "= " + std::to_string(global) + " must be divisible by the number of ranks (" +
                                  std::to_string(world) + ")");
  }
  // The first init_batches global batches of epoch 0 as training delivers them (augmented,
  // dequantised with noise; method.md §1); each rank reads its share and the statistics are summed
  // across ranks, so the result is that of the whole global init batch.
  data::Loader init_loader(source, data::init_loader_options(cfg_.data, training_source(cfg_), source, global / world),
                           comm_.rank(), world);
  std::vector<at::Tensor> images;
  for (int i = 0; i < cfg_.model.init_batches; ++i) {
    auto batch = init_loader.next();
    if (!batch) {
      throw data::DataError(training_source(cfg_).path, "the training set holds fewer images than the ActNorm init "
                                                        "batches (model.init_batches x model.init_batch_size)");
    }
    images.push_back(to_tensor_.images(*batch, data::Dequantize::uniform_noise));
  }
  at::NoGradGuard no_grad;
  const int layers = model_->initialize(at::cat(images), allreduce_sum(comm_, device_));
  HIERAD_LOG(info) << "ActNorm data init: " << layers << " layers on "
                   << cfg_.model.init_batches * global << " images";
}

void TrainingRun::broadcast_state() {
  at::NoGradGuard no_grad;
  std::vector<at::Tensor> state = model_->parameters();
  for (const at::Tensor& buffer : model_->buffers()) state.push_back(buffer);
  distributed::broadcast_tensors(state, comm_, 0);
}

std::optional<storage::Checkpoint> TrainingRun::find_resume_checkpoint() {
  storage::LatestCheckpoint latest = checkpoints_.load_latest_valid();
  for (const auto& skipped : latest.skipped) {
    HIERAD_LOG(warn) << "passing over checkpoint " << skipped.path.string() << ": " << skipped.reason;
  }
  return std::move(latest.checkpoint);
}

// The objective of method.md §5 for one micro-batch: mean NLL in nats, plus the outlier term.
at::Tensor TrainingRun::step_loss(const data::Batch& batch) {
  const at::Tensor x = to_tensor_.images(batch, data::Dequantize::uniform_noise);
  const model::LikelihoodRecord record = model_->forward(x);
  at::Tensor loss = nll_nats(record.log_p, model_->options().dims()).mean();
  {
    at::NoGradGuard no_grad;
    window_sums_[1].add_(record.bpd.detach().sum());
  }
  if (outlier_loader_) {
    auto outliers = outlier_loader_->next();
    const at::Tensor xo = to_tensor_.images(*outliers, data::Dequantize::uniform_noise);
    at::Tensor log_p_gen;
    {
      c10::InferenceMode inference;
      log_p_gen = general_->forward(xo).log_p;
    }
    loss = loss + outlier_term(model_->forward(xo).log_p, log_p_gen.clone(), cfg_.train.outlier.weight,
                               cfg_.train.outlier.temperature);
  }
  return loss;
}

double TrainingRun::learning_rate(std::int64_t step) const {
  const int warmup = cfg_.train.warmup_steps;
  if (warmup <= 0 || step >= warmup) return cfg_.train.lr;
  return cfg_.train.lr * static_cast<double>(step + 1) / warmup;
}

// One optimiser step: the micro-batches' forward and backward, gradient averaging, the skip
// decision and Adamax, with no host synchronisation (Note [Skipped steps]).
void TrainingRun::train_step(std::int64_t global_batch) {
  RECORD_USER_SCOPE("hierad::train_step");  // phases for profilers and tests/bench/bench_step_ops
  for (int micro = 0; micro < cfg_.train.accumulation; ++micro) {
    RECORD_USER_SCOPE("hierad::forward_backward");
    const bool last = micro + 1 == cfg_.train.accumulation;
    std::optional<distributed::NoSyncGuard> no_sync;
    if (!last) no_sync.emplace(*sync_);
    const auto batch = loader_->next();
    const at::Tensor loss = step_loss(*batch);
    (loss / cfg_.train.accumulation).backward();
    at::NoGradGuard no_grad;
    window_sums_[0].add_(loss.detach(), static_cast<double>(batch->size()));
    window_images_ += static_cast<double>(batch->size());
  }
  {
    RECORD_USER_SCOPE("hierad::grad_sync");
    sync_->finish();
  }
  {
    RECORD_USER_SCOPE("hierad::optimizer");
    const GradientCheck check = check_and_clip(*flat_, cfg_.train.grad_clip);
    optimizer_->step(learning_rate(counters_.step), check.non_finite);
    optimizer_->zero_grad();
    at::NoGradGuard no_grad;
    skipped_.add_(check.non_finite);
    last_grad_norm_ = check.norm;
  }
  ++counters_.step;
  counters_.images_seen += global_batch;
}

std::int64_t TrainingRun::read_skipped_steps() {
  counters_.skipped_steps = skipped_.item<std::int64_t>();
  return counters_.skipped_steps;
}

// The one synchronisation of a logging window: the device sums of every rank, reduced, read once.
void TrainingRun::log_window(double seconds) {
  // Seconds this rank's compute waited in GradSync::finish() in the window: the communication
  // that backward did not hide (buckets launched during backward overlap it and cost nothing here).
  const double comm_s = sync_->exposed_timer().take_seconds();
  at::Tensor sums = at::cat({window_sums_,
                             at::tensor({window_images_, comm_s}, at::kDouble).to(device_)});
  comm_.allreduce(sums, distributed::ReduceOp::kSum)->synchronize();
  sums = sums.cpu();
  const double* v = sums.data_ptr<double>();
  const double images = v[2];
  const double loss = v[0] / images;
  last_bpd_ = v[1] / images;
  const double rate = images / seconds;
  const double comm_fraction = v[3] / comm_.size() / seconds;  // mean over ranks
  window_sums_.zero_();
  window_images_ = 0;
  const std::int64_t skipped_in_window = read_skipped_steps() - skipped_at_window_start_;
  skipped_at_window_start_ = counters_.skipped_steps;
  if (skipped_in_window > 0) {
    HIERAD_LOG(warn) << skipped_in_window << " of the last " << cfg_.train.log_every
                     << " steps skipped: non-finite gradients (Note [Skipped steps])";
  }
  const auto& position = loader_->position();
  const double seconds_per_step = seconds / cfg_.train.log_every;
  HIERAD_LOG(info) << progress_line(counters_.step, cfg_.train.steps, position.epoch, rate, last_bpd_,
                                    counters_.skipped_steps, seconds_per_step)
                   << " | comm " << static_cast<int>(100 * comm_fraction + 0.5) << "%";
  if (metrics_) {
    metrics_->append({static_cast<double>(counters_.step), static_cast<double>(position.epoch), loss,
                      last_bpd_, learning_rate(counters_.step - 1), last_grad_norm_.item<double>(),
                      static_cast<double>(counters_.skipped_steps), rate, comm_fraction});
    write_progress_file(run_dir_ / "progress.toml", counters_.step, cfg_.train.steps, last_bpd_, rate,
                        seconds_per_step, counters_.skipped_steps);
  }
}

void TrainingRun::validate() {
  if (!cfg_.data.in_dist_test || cfg_.train.on != "in_dist") return;
  const auto source = data::make_source(*cfg_.data.in_dist_test, cfg_.model.channels);
  data::Loader loader(*source, data::evaluation_loader_options(cfg_.data, cfg_.train.batch_size),
                      comm_.rank(), comm_.size());
  at::Tensor bpd_sum = at::zeros({}, at::TensorOptions().dtype(at::kDouble).device(device_));
  double count = 0;
  {
    at::NoGradGuard no_grad;  // not InferenceMode: bpd_sum is updated in place across the loop
    while (auto batch = loader.next()) {
      const at::Tensor x = to_tensor_.images(*batch, data::Dequantize::bin_centre);
      bpd_sum.add_(model_->forward(x).bpd.sum());
      count += static_cast<double>(batch->size());
    }
  }
  at::Tensor sums = at::stack({bpd_sum, at::scalar_tensor(count, bpd_sum.options())});
  comm_.allreduce(sums, distributed::ReduceOp::kSum)->synchronize();
  sums = sums.cpu();
  const double bpd = sums[0].item<double>() / sums[1].item<double>();
  HIERAD_LOG(info) << "validation at step " << counters_.step << ": " << bpd << " bits/dim on "
                   << static_cast<std::int64_t>(sums[1].item<double>()) << " images";
  if (validation_log_) validation_log_->append({static_cast<double>(counters_.step), bpd});
}

void TrainingRun::checkpoint() {
  read_skipped_steps();
  SavedPositions positions{loader_->position(), std::nullopt};
  if (outlier_loader_) positions.outlier = outlier_loader_->position();
  last_checkpoint_ =
      save_training_state(checkpoints_, *model_, *optimizer_, counters_, positions, comm_, run_metadata_);
  if (comm_.rank() == 0) HIERAD_LOG(info) << "checkpoint " << last_checkpoint_.string();
}

TrainOutcome TrainingRun::run(bool must_resume) {
  distributed::install_stop_handlers();
  write_run_files();
  build_model();
  const config::SourceConfig& source_config = training_source(cfg_);
  source_ = data::make_source(source_config, cfg_.model.channels);

  std::optional<SavedPositions> resume_positions;
  if (auto resume = find_resume_checkpoint()) {
    resume_positions = load_training_state(*resume, *model_, *optimizer_, counters_, comm_.rank(), comm_.size());
    skipped_.fill_(counters_.skipped_steps);
    skipped_at_window_start_ = counters_.skipped_steps;
    HIERAD_LOG(info) << "resuming from " << resume->path.string() << " at step " << counters_.step;
    last_checkpoint_ = resume->path;  // the final one, when the run had already finished
  } else if (must_resume) {
    throw std::runtime_error(checkpoints_.dir().string() + ": --resume given, but there is no valid checkpoint");
  } else if (!cfg_.train.init_from.empty()) {
    const storage::Checkpoint init =
        model_io::read_final_checkpoint(cfg_.train.init_from, other_model(cfg_, "train.init_from"));
    model_io::load_model_state(init, *model_);
    HIERAD_LOG(info) << "fine-tuning from " << init.path.string();
  } else {
    initialise_actnorm(*source_);
  }
  broadcast_state();

  data::LoaderOptions loader_options =
      data::training_loader_options(cfg_.data, source_config, *source_, cfg_.train.batch_size);
  loader_ = resume_positions
                ? std::make_unique<data::Loader>(*source_, loader_options, comm_.rank(), comm_.size(),
                                                 resume_positions->main)
                : std::make_unique<data::Loader>(*source_, loader_options, comm_.rank(), comm_.size());

  if (cfg_.train.outlier.enabled) {
    if (!cfg_.data.general) {
      throw config::ConfigError(cfg_.source.string(), 0, 0, "train.outlier.enabled", "needs a [data.general] section");
    }
    if (cfg_.train.outlier.general_checkpoint.empty()) {
      throw config::ConfigError(cfg_.source.string(), 0, 0, "train.outlier.enabled",
                                "needs train.outlier.general_checkpoint");
    }
    general_ = model::Glow(model_io::glow_options(cfg_.model));
    general_->to(device_);
    model_io::load_model_state(model_io::read_final_checkpoint(cfg_.train.outlier.general_checkpoint,
                                                               other_model(cfg_, "train.outlier.general_checkpoint")),
                               *general_);
    general_->eval();
    for (auto& p : general_->parameters()) p.set_requires_grad(false);
    outlier_source_ = data::make_source(*cfg_.data.general, cfg_.model.channels);
    const data::LoaderOptions outlier_options =
        data::outlier_loader_options(cfg_.data, *cfg_.data.general, *outlier_source_, cfg_.train.batch_size);
    outlier_loader_ = resume_positions && resume_positions->outlier
                          ? std::make_unique<data::Loader>(*outlier_source_, outlier_options, comm_.rank(),
                                                           comm_.size(), *resume_positions->outlier)
                          : std::make_unique<data::Loader>(*outlier_source_, outlier_options, comm_.rank(),
                                                           comm_.size());
  }

  sync_ = std::make_unique<distributed::GradSync>(*flat_, comm_);

  if (comm_.rank() == 0) {
    metrics_.emplace(run_dir_ / "metrics.h5", "train",
                     std::vector<std::string>{"step", "epoch", "loss", "bpd", "lr", "grad_norm",
                                              "skipped_steps", "images_per_s", "comm_fraction"});
    metrics_->truncate_after(static_cast<double>(counters_.step));
    if (cfg_.train.validate_every > 0) {
      validation_log_.emplace(run_dir_ / "metrics.h5", "validation", std::vector<std::string>{"step", "bpd"});
      validation_log_->truncate_after(static_cast<double>(counters_.step));
    }
  }
  const std::int64_t global_batch =
      static_cast<std::int64_t>(cfg_.train.batch_size) * comm_.size() * cfg_.train.accumulation;
  HIERAD_LOG(info) << "training " << cfg_.train.steps << " steps on " << source_->name() << " ("
                   << source_->size() << " images): global batch " << global_batch << " = "
                   << cfg_.train.batch_size << " per rank x " << comm_.size() << " ranks x "
                   << cfg_.train.accumulation << " accumulation; " << model::parameter_count(*model_)
                   << " parameters on " << device_.str();

  if (comm_.rank() == 0 && counters_.step < cfg_.train.steps) storage::clear_final_checkpoint(run_dir_);
  model_->train();
  StopAgreement stop(comm_);
  auto window_start = Clock::now();
  while (counters_.step < cfg_.train.steps) {
    if (stop.stop_after_previous_step(distributed::stop_requested() != 0)) {  // Note [Stopping]
      checkpoint();
      HIERAD_LOG(warn) << "stopped by signal " << distributed::stop_requested() << " after step " << counters_.step;
      return {true, counters_.step, counters_.skipped_steps, last_bpd_, last_checkpoint_};
    }
    train_step(global_batch);
    if (counters_.step % cfg_.train.log_every == 0 || counters_.step == cfg_.train.steps) {
      const double seconds = std::chrono::duration<double>(Clock::now() - window_start).count();
      log_window(seconds);
      window_start = Clock::now();
    }
    if (cfg_.train.validate_every > 0 && counters_.step % cfg_.train.validate_every == 0) validate();
    if (counters_.step % cfg_.train.checkpoint_every == 0 || counters_.step == cfg_.train.steps) {
      checkpoint();
    }
  }
  stop.drain();
  read_skipped_steps();
  // Only now is the run finished for the steps that use its model (storage/training_end.hpp).
  if (comm_.rank() == 0) storage::record_final_checkpoint(run_dir_, last_checkpoint_);
  return {false, counters_.step, counters_.skipped_steps, last_bpd_, last_checkpoint_};
}

}  // namespace

TrainOutcome train(const config::ExperimentConfig& experiment, const std::filesystem::path& run_dir,
                   distributed::Communicator& comm, const at::Device& device, bool must_resume) {
  TrainingRun run(experiment, run_dir, comm, device);
  return run.run(must_resume);
}

}  // namespace hierad::train
