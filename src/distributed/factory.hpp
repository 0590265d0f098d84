// Start-up choices, made once in main and passed down: which backend, which device.
#pragma once

#include "src/distributed/communicator.hpp"
#include "src/distributed/mpi_communicator.hpp"

#include <mpi.h>

#include <memory>
#include <string_view>

namespace hierad::distributed {

// "auto", "mpi" or "nccl" (the config's spelling); throws std::invalid_argument otherwise.
Backend parse_backend(std::string_view name);

// True when this build contains the NCCL backend (HIERAD_WITH_NCCL).
bool nccl_compiled_in();

// kAuto becomes kNccl for a CUDA device and kMpi otherwise. Throws DistError for kNccl in a build
// without NCCL or with a non-CUDA device, and for kMpi with a CUDA device (the MPI backend works on
// host memory only).
Backend resolve_backend(Backend requested, const at::Device& device);

// Creates the communicator for resolve_backend(requested, device) over a duplicate of `parent`.
// Collective over `parent`: every rank must call it, with the same backend. MPI must be
// initialised (MpiSession). `mpi` applies to the MPI backend only.
std::unique_ptr<Communicator> make_communicator(Backend requested, const at::Device& device,
                                                MPI_Comm parent = MPI_COMM_WORLD,
                                                MpiOptions mpi = {});

// This process's rank among the ranks of `parent` on its node (MPI_COMM_TYPE_SHARED), for choosing
// the device before any communicator exists. Collective over `parent`.
int node_local_rank(MPI_Comm parent = MPI_COMM_WORLD);

// The device for a rank with this node-local rank: cuda:local_rank when LibTorch sees CUDA devices,
// the CPU otherwise. Throws DistError when the node has fewer GPUs than ranks (NCCL refuses two
// ranks on one GPU, and sharing one would halve both).
at::Device device_for_local_rank(int local_rank);

}  // namespace hierad::distributed
