// Start-up choices, made once in main and passed down: which backend, which device.
#pragma once

#include "src/distributed/communicator.hpp"
#include "src/distributed/device_selection.hpp"
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
// initialised (MpiSession). `mpi` applies to the MPI backend, except collective_timeout_s, which
// both backends' watchdogs use.
std::unique_ptr<Communicator> make_communicator(Backend requested, const at::Device& device,
                                                MPI_Comm parent = MPI_COMM_WORLD,
                                                MpiOptions mpi = {});

// This process's rank among the ranks of `parent` on its node (MPI_COMM_TYPE_SHARED), for choosing
// the device before any communicator exists. Collective over `parent`.
int node_local_rank(MPI_Comm parent = MPI_COMM_WORLD);

// model.device for this rank (device_selection.hpp) from the real CUDA runtime and the rank's
// place on its node, with check_distinct_gpus over the node. Collective over `parent`; every rank
// throws (the same kind of) DistError rather than some ranks waiting for others that failed.
DeviceChoice select_device(const std::string& setting, MPI_Comm parent = MPI_COMM_WORLD);

}  // namespace hierad::distributed
