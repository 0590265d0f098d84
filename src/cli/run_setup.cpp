#include "src/cli/run_setup.hpp"

#include "src/config/run_id.hpp"
#include "src/distributed/factory.hpp"
#include "src/util/log.hpp"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <c10/core/impl/VirtualGuardImpl.h>
#include <sched.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace hierad::cli {
namespace {

// LibTorch's intra-op threads for this rank: OMP_NUM_THREADS when set, else the cores this process
// may run on (mpirun binds each rank to its own) minus the data loader's threads. More OpenMP
// threads than free cores is ruinous here: GNU OpenMP spin-waits at every barrier for a thread that
// is not running, which made a small model's CPU step 5x slower (README.md, "Performance").
int intra_op_threads(const config::ExperimentConfig& experiment) {
  if (const char* env = std::getenv("OMP_NUM_THREADS"); env != nullptr && std::atoi(env) > 0) {
    return std::atoi(env);
  }
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  const int available = sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? CPU_COUNT(&cpus) : 1;
  return std::max(1, available - experiment.data.loader_threads);
}

distributed::Backend backend_of(config::Backend backend) {
  switch (backend) {
    case config::Backend::mpi: return distributed::Backend::kMpi;
    case config::Backend::nccl: return distributed::Backend::kNccl;
    case config::Backend::automatic: break;
  }
  return distributed::Backend::kAuto;
}

// Process-wide CUDA settings, made once before any kernel runs (the model sets the TF32 flags
// again whenever it computes, see glow.cpp). deterministic: cuDNN picks deterministic algorithms
// and does not autotune (benchmark mode may pick a different algorithm on every run), and every
// operator without a deterministic CUDA implementation warns. cuBLAS needs its workspace setting
// for reproducible results across streams; it must be in the environment before cuBLAS starts.
void configure_cuda(bool deterministic) {
  auto& context = at::globalContext();
  context.setDeterministicCuDNN(deterministic);
  context.setBenchmarkCuDNN(!deterministic);
  context.setDeterministicAlgorithms(deterministic, /*warn_only=*/true);
  if (deterministic) ::setenv("CUBLAS_WORKSPACE_CONFIG", ":4096:8", /*overwrite=*/0);
}

// "0: cuda:0 (node-local 0), 1: cuda:1 (node-local 1)" by rank, for one log line on rank 0: what
// every rank's launcher and MPI made of it (srun or mpirun, one node or several).
std::string devices_by_rank(distributed::Communicator& comm, const distributed::DeviceChoice& choice) {
  const auto indices = comm.allgather(static_cast<std::int64_t>(choice.cuda ? choice.index : -1));
  const auto local_ranks = comm.allgather(static_cast<std::int64_t>(comm.local_rank()));
  std::string line;
  for (std::size_t r = 0; r < indices.size(); ++r) {
    line += (r ? ", " : "") + std::to_string(r) + ": " +
            (indices[r] < 0 ? std::string("cpu") : "cuda:" + std::to_string(indices[r])) +
            " (node-local " + std::to_string(local_ranks[r]) + ")";
  }
  return line;
}

}  // namespace

RunSetup make_run_setup(const config::ExperimentConfig& experiment, const std::string& run_dir) {
  RunSetup setup;
  const distributed::DeviceChoice choice = distributed::select_device(experiment.model.device);
  if (choice.cuda) {
    setup.device = at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(choice.index));
    // The current device of this process from now on: streams, handles and allocations that do
    // not name a device belong to this rank's GPU.
    c10::impl::VirtualGuardImpl(c10::DeviceType::CUDA).setDevice(setup.device);
    configure_cuda(experiment.train.deterministic);
  } else {
    setup.device = at::Device(at::kCPU);
    at::set_num_threads(intra_op_threads(experiment));
  }
  distributed::MpiOptions mpi;
  mpi.collective_timeout_s = experiment.train.collective_timeout;
  setup.comm = distributed::make_communicator(backend_of(experiment.train.backend), setup.device,
                                              MPI_COMM_WORLD, mpi);
  setup.run_dir = run_dir.empty() ? config::default_run_dir(experiment) : std::filesystem::path(run_dir);
  HIERAD_LOG(info) << "device " << setup.device.str() << " (" << choice.reason << ")";
  const std::string devices = devices_by_rank(*setup.comm, choice);
  HIERAD_LOG(info) << setup.comm->size() << " rank(s), " << distributed::to_string(setup.comm->backend())
                   << " backend, devices by rank {" << devices << "} (" << at::get_num_threads()
                   << " threads); run directory " << setup.run_dir.string();
  return setup;
}

}  // namespace hierad::cli
