#include "src/cli/run_setup.hpp"

#include "src/config/run_id.hpp"
#include "src/distributed/factory.hpp"
#include "src/util/log.hpp"

#include <ATen/Parallel.h>
#include <sched.h>

#include <algorithm>
#include <cstdlib>

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

}  // namespace

RunSetup make_run_setup(const config::ExperimentConfig& experiment, const std::string& run_dir) {
  RunSetup setup;
  const std::string& device = experiment.model.device;
  if (device == "auto") {
    setup.device = distributed::device_for_local_rank(distributed::node_local_rank());
  } else {
    setup.device = at::Device(device);
  }
  if (setup.device.is_cpu()) at::set_num_threads(intra_op_threads(experiment));
  setup.comm = distributed::make_communicator(backend_of(experiment.train.backend), setup.device);
  setup.run_dir = run_dir.empty() ? config::default_run_dir(experiment) : std::filesystem::path(run_dir);
  HIERAD_LOG(info) << setup.comm->size() << " rank(s), " << distributed::to_string(setup.comm->backend())
                   << " backend, device " << setup.device.str() << " (" << at::get_num_threads()
                   << " threads); run directory "
                   << setup.run_dir.string();
  return setup;
}

}  // namespace hierad::cli
