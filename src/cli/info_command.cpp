// `hierad info`: what this build and this machine offer (versions, devices, threads, ranks).
#include "src/cli/commands.hpp"
#include "src/cli/exit_codes.hpp"
#include "src/config/config_io.hpp"
#include "src/distributed/factory.hpp"
#include "src/model/glow.hpp"
#include "src/model_io/glow_factory.hpp"
#include "src/util/runtime_info.hpp"

#include <mpi.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace hierad::cli {
namespace {

// One line per rank, gathered to rank 0 so the lines arrive in rank order.
std::vector<std::string> gather_rank_lines(const std::string& line) {
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const int length = static_cast<int>(line.size());
  std::vector<int> lengths(size), offsets(size);
  MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  int total = 0;
  for (int r = 0; r < size; ++r) {
    offsets[r] = total;
    total += lengths[r];
  }
  std::string all(rank == 0 ? total : 0, '\0');
  MPI_Gatherv(line.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR, 0,
              MPI_COMM_WORLD);
  std::vector<std::string> lines;
  if (rank == 0) {
    for (int r = 0; r < size; ++r) lines.push_back(all.substr(offsets[r], lengths[r]));
  }
  return lines;
}

// `--model EXP.toml`: the Glow the experiment describes, counted without building it.
void print_model(const std::string& experiment_file) {
  const config::ExperimentConfig experiment = config::load_experiment(experiment_file);
  const model::GlowOptions options = model_io::glow_options(experiment.model);
  std::printf("model         Glow L=%d K=%d hidden=%d %s coupling, %s permutation, %dx%dx%d input\n",
              options.scales, options.steps, options.hidden, model::to_string(options.coupling),
              model::to_string(options.permutation), options.in_channels, options.image_size,
              options.image_size);
  std::printf("parameters    %lld\n", static_cast<long long>(model::parameter_count(options)));
}

int run_info(const std::string& model_experiment) {
  const util::RuntimeInfo info = util::query_runtime_info();
  const int local_rank = distributed::node_local_rank(MPI_COMM_WORLD);
  const auto rank_lines = gather_rank_lines(util::describe_rank(info, local_rank));
  if (info.rank != 0) return kExitOk;
  std::printf("hierad        %s (%s build)\n", info.hierad_version.c_str(), info.build_type.c_str());
  std::printf("LibTorch      %s (CUDA build: %s)\n", info.torch_version.c_str(),
              info.torch_cuda_version.c_str());
  std::printf("CUDA devices  %d\n", info.cuda_devices);
  std::printf("threads       %d intra-op, %d inter-op\n", info.threads, info.interop_threads);
  std::printf("MPI           %s\n", info.mpi_version.c_str());
  std::printf("ranks         %d\n", info.world_size);
  std::printf("HDF5          %s (%s)\n", info.hdf5_version.c_str(),
              info.hdf5_parallel ? "parallel" : "serial");
  std::printf("NCCL          %s\n", info.nccl_version.c_str());
  for (const auto& line : rank_lines) std::printf("  %s\n", line.c_str());
  if (!model_experiment.empty()) print_model(model_experiment);
  return kExitOk;
}

}  // namespace

Command add_info_command(CLI::App& parent) {
  auto model_experiment = std::make_shared<std::string>();
  CLI::App* app = parent.add_subcommand(
      "info", "Print the versions of LibTorch, MPI, HDF5 and NCCL, the CUDA devices, threads and\n"
              "MPI ranks of this build and machine; with --model EXP.toml also the experiment's\n"
              "Glow and its parameter count.");
  app->add_option("--model", *model_experiment, "experiment TOML file whose [model] to describe")
      ->check(CLI::ExistingFile);
  return {app, [model_experiment] { return run_info(*model_experiment); }};
}

}  // namespace hierad::cli
