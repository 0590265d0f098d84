#include "src/distributed/factory.hpp"

#include "src/distributed/errors.hpp"
#include "src/distributed/mpi_communicator.hpp"
#include "src/distributed/mpi_util.hpp"
#ifdef HIERAD_WITH_NCCL
#include "src/distributed/nccl_communicator.hpp"
#endif

#include <torch/cuda.h>

#include <stdexcept>
#include <string>

namespace hierad::distributed {

Backend parse_backend(std::string_view name) {
  if (name == "auto") return Backend::kAuto;
  if (name == "mpi") return Backend::kMpi;
  if (name == "nccl") return Backend::kNccl;
  throw std::invalid_argument("unknown communication backend '" + std::string(name) +
                              "' (use auto, mpi or nccl)");
}

bool nccl_compiled_in() {
#ifdef HIERAD_WITH_NCCL
  return true;
#else
  return false;
#endif
}

Backend resolve_backend(Backend requested, const at::Device& device) {
  const Backend backend =
      requested != Backend::kAuto ? requested : (device.is_cuda() ? Backend::kNccl : Backend::kMpi);
  if (backend == Backend::kNccl) {
    if (!nccl_compiled_in()) {
      throw DistError(detail::rank_label() + " the NCCL backend was requested but this build of "
                      "hierad has none (it needs LibTorch with CUDA and NCCL at configure time); "
                      "use backend = \"mpi\" on the CPU");
    }
    if (!device.is_cuda()) {
      throw DistError(detail::rank_label() + " the NCCL backend needs a CUDA device, but the "
                      "device is " + device.str());
    }
  }
  if (backend == Backend::kMpi && !device.is_cpu()) {
    throw DistError(detail::rank_label() + " the MPI backend reduces host memory only, but the "
                    "device is " + device.str() + "; use backend = \"nccl\" or \"auto\"");
  }
  return backend;
}

std::unique_ptr<Communicator> make_communicator(Backend requested, const at::Device& device,
                                                MPI_Comm parent, MpiOptions mpi) {
  const Backend backend = resolve_backend(requested, device);
  if (backend == Backend::kMpi) return std::make_unique<MpiCommunicator>(parent, mpi);
#ifdef HIERAD_WITH_NCCL
  return detail::make_nccl_communicator(parent, device);
#else
  throw DistError("unreachable: NCCL resolved in a build without it");
#endif
}

int node_local_rank(MPI_Comm parent) { return detail::node_rank(parent).local_rank; }

at::Device device_for_local_rank(int local_rank) {
  // device_count() is 0 when LibTorch has no CUDA or the driver is missing (CI machines).
  const auto count = static_cast<int>(torch::cuda::device_count());
  if (count == 0) return at::Device(at::kCPU);
  if (local_rank < 0 || local_rank >= count) {
    throw DistError(detail::rank_label() + " local rank " + std::to_string(local_rank) +
                    " has no GPU of its own: this node shows " + std::to_string(count) +
                    " CUDA device(s); start at most that many ranks per node");
  }
  return at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(local_rank));
}

}  // namespace hierad::distributed
