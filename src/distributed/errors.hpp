// Error relay shared by the MPI and NCCL backends (nccl-tests' CUDACHECK/NCCLCHECK, but throwing):
// every message names the source location, the rank and the library's own text.
#pragma once

#include "src/distributed/communicator.hpp"

#include <ATen/ATen.h>

#include <string>

namespace hierad::distributed::detail {

// "[rank r]" with r the MPI_COMM_WORLD rank, or "[rank ?]" before MPI_Init / after MPI_Finalize.
// Thread-safe once remember_world_rank() has run (MpiSession calls it).
std::string rank_label();
void remember_world_rank(int rank);

// Throws DistError("<file>:<line>: [rank r] <call> failed: <message>"). The file is shortened to its
// repository-relative part (from the last "src/" or "tests/" on).
[[noreturn]] void throw_call_error(const char* file, int line, const char* call,
                                   const std::string& message);

// Checks shared by every collective on a tensor: defined, contiguous, on `device`. `what` names
// the collective in the message ("allreduce").
void check_collective_tensor(const at::Tensor& tensor, const at::Device& device, const char* what);

// Throws DistError for kAvg on an integer (or bool) tensor.
void check_reduce_op(const at::Tensor& tensor, ReduceOp op);

}  // namespace hierad::distributed::detail
