// Data-parallel Glow training: model + data + distributed + storage composed into the step loop.
//
// One call trains (or resumes) the run in `run_dir` on every rank of `comm`:
//   run_dir/config.toml        the resolved experiment (written by rank 0)
//   run_dir/checkpoints/       ckpt-<step>.h5, the last train.keep_checkpoints kept
//   run_dir/metrics.h5         tables "train" and "validation" (storage/metrics_log.hpp)
//
// Start-up, in order: a valid checkpoint in run_dir resumes the run exactly (model, optimizer,
// loader positions, RNG states, counters); otherwise train.init_from names a checkpoint to fine-tune
// from (model weights only); otherwise the model is built from train.seed on every rank and its
// ActNorms are initialised on the global init batch (model.init_batches x model.init_batch_size
// images, statistics summed across ranks). Parameters are then broadcast from rank 0, so every rank
// starts from the same bits whatever happened before.
//
// Note [Skipped steps]
// A step whose averaged gradients are not all finite is skipped and counted. The decision needs no
// extra collective: it is taken on the gradients *after* the allreduce, which are identical on every
// rank, so every rank decides alike (a NaN on one rank reaches all of them through the sum). It is
// taken on the device, as AMP's gradient scaler does: the gradient norm's non-finite flag masks
// Adamax's update (parameters, moments and step count stay bit-identical) and is added to a device
// counter that the host reads only at logging and checkpoint time. No step waits for the GPU.
//
// Note [Stopping] is in stop_agreement.hpp: a signal stops training one step (at most two) after it
// arrives, on every rank after the same step; then a checkpoint is written and train() returns
// `preempted`.
//
// The step loop holds no host synchronisation: losses and bits/dim are summed on the device, read
// once per logging window (log_window), and a watchdog (Note [Collective watchdog]) ends the
// process when a collective waits longer than train.collective_timeout.
#pragma once

#include "src/config/experiment_config.hpp"
#include "src/distributed/communicator.hpp"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <filesystem>

namespace hierad::train {

struct TrainOutcome {
  bool preempted = false;          // stopped by a signal after writing a checkpoint
  std::int64_t step = 0;           // optimiser steps completed (resumed ones included)
  std::int64_t skipped_steps = 0;
  double last_bpd = 0.0;           // mean training bits/dim of the last logged window
  std::filesystem::path last_checkpoint;  // on rank 0
};

// `must_resume`: fail unless run_dir holds a valid checkpoint (the CLI's --resume), instead of
// starting afresh. Throws std::runtime_error (or the layers' own errors) naming the config key,
// file or problem.
TrainOutcome train(const config::ExperimentConfig& experiment, const std::filesystem::path& run_dir,
                   distributed::Communicator& comm, const at::Device& device, bool must_resume = false);

}  // namespace hierad::train
