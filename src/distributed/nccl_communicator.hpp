// The GPU backend, declared without NCCL's or CUDA's headers so that including this file costs
// nothing. It exists only in builds with HIERAD_WITH_NCCL (LibTorch with CUDA + NCCL found);
// make_communicator() is the only caller.
#pragma once

#include "src/distributed/communicator.hpp"

#include <mpi.h>

#include <memory>

namespace hierad::distributed::detail {

// Collective over `parent`. Rank 0 creates the ncclUniqueId, MPI_Bcast hands it to every rank,
// then each calls ncclCommInitRank on `device` (a CUDA device with an index). The returned
// communicator owns a high-priority stream from LibTorch's pool on which all its collectives run,
// and a watchdog with `collective_timeout_s` (<= 0: none).
std::unique_ptr<Communicator> make_nccl_communicator(MPI_Comm parent, const at::Device& device,
                                                     double collective_timeout_s);

}  // namespace hierad::distributed::detail
