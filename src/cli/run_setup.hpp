// The start-up choices every rank makes once before training or scoring: device, communicator and
// run directory, so that no layer below decides them again.
#pragma once

#include "src/config/experiment_config.hpp"
#include "src/distributed/communicator.hpp"

#include <ATen/core/Tensor.h>

#include <filesystem>
#include <memory>
#include <string>

namespace hierad::cli {

struct RunSetup {
  at::Device device = at::kCPU;
  std::unique_ptr<distributed::Communicator> comm;
  std::filesystem::path run_dir;
};

// device: model.device, where "auto" is the GPU of this rank's node-local rank if LibTorch sees
// any, else the CPU; communicator: train.backend for that device; run directory: `run_dir` if
// given, else <output_dir>/<name>/<run id>. Collective over MPI_COMM_WORLD.
RunSetup make_run_setup(const config::ExperimentConfig& experiment, const std::string& run_dir);

}  // namespace hierad::cli
