// Making a set of tensors identical on every rank (parameters and buffers at start-up, after
// rank 0 initialised them), as c10d's broadcast_coalesced does for DDP.
#pragma once

#include "src/distributed/communicator.hpp"

#include <ATen/ATen.h>

#include <vector>

namespace hierad::distributed {

// Overwrites every tensor with rank `root`'s values, in place (the tensors are shared handles, so
// a module's parameters() and buffers() can be passed directly). All broadcasts are issued before
// the first wait. Non-contiguous tensors go through a contiguous copy. Collective: every rank
// passes tensors of the same shapes and dtypes in the same order.
void broadcast_tensors(const std::vector<at::Tensor>& tensors, Communicator& comm, int root = 0);

}  // namespace hierad::distributed
