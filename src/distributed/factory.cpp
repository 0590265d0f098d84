#include "src/distributed/factory.hpp"

#include "src/distributed/errors.hpp"
#include "src/distributed/mpi_communicator.hpp"
#include "src/distributed/mpi_util.hpp"
#ifdef HIERAD_WITH_NCCL
#include "src/distributed/nccl_communicator.hpp"
#endif
#include "src/distributed/cuda_probe.hpp"

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
  return detail::make_nccl_communicator(parent, device, mpi.collective_timeout_s);
#else
  throw DistError("unreachable: NCCL resolved in a build without it");
#endif
}

int node_local_rank(MPI_Comm parent) { return detail::node_rank(parent).local_rank; }

DeviceChoice select_device(const std::string& setting, MPI_Comm parent) {
  int world_rank = 0;
  HIERAD_MPI_CHECK(MPI_Comm_rank(parent, &world_rank));
  const detail::NodeRank node = detail::node_rank(parent);
  const NodePlace place{world_rank, node.local_rank, node.local_size};
  // Every rank learns whether any rank failed, so that all of them stop here together.
  std::string error;
  DeviceChoice choice;
  try {
    choice = choose_device(setting, probe_cuda(), place);
  } catch (const std::exception& e) {
    error = e.what();
  }
  int failed = error.empty() ? 0 : 1;
  HIERAD_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, &failed, 1, MPI_INT, MPI_MAX, parent));
  if (failed) throw DistError(error.empty() ? detail::rank_label() + " another rank could not get its device "
                                                  "(its error is printed above)" : error);
  // The GPUs of the ranks of this node, by PCI bus id.
  MPI_Comm node_comm = MPI_COMM_NULL;
  HIERAD_MPI_CHECK(MPI_Comm_split_type(parent, MPI_COMM_TYPE_SHARED, world_rank, MPI_INFO_NULL, &node_comm));
  char mine[32] = {};
  const std::string id = choice.cuda ? pci_bus_id(choice.index) : std::string();
  id.copy(mine, sizeof mine - 1);
  std::vector<char> all(static_cast<std::size_t>(node.local_size) * sizeof mine);
  const int rc = MPI_Allgather(mine, sizeof mine, MPI_CHAR, all.data(), sizeof mine, MPI_CHAR, node_comm);
  MPI_Comm_free(&node_comm);
  if (rc != MPI_SUCCESS) detail::throw_call_error(__FILE__, __LINE__, "MPI_Allgather", detail::mpi_error_string(rc));
  std::vector<std::string> ids;
  for (int r = 0; r < node.local_size; ++r) ids.emplace_back(all.data() + r * sizeof mine);
  check_distinct_gpus(ids, place);
  return choice;
}

}  // namespace hierad::distributed
