// MPI helpers shared by both backends: checked calls, dtype mapping, node-local rank.
#pragma once

#include "src/distributed/errors.hpp"

#include <ATen/ATen.h>
#include <mpi.h>

#include <string>

// Runs an MPI call and throws DistError with file:line, rank and MPI_Error_string on failure.
// Needs MPI_ERRORS_RETURN on the communicator (MpiCommunicator sets it on its own duplicate);
// under the default MPI_ERRORS_ARE_FATAL the library aborts before we can say anything.
#define HIERAD_MPI_CHECK(call)                                                           \
  do {                                                                                  \
    const int hierad_mpi_rc_ = (call);                                                  \
    if (hierad_mpi_rc_ != MPI_SUCCESS) {                                                \
      ::hierad::distributed::detail::throw_call_error(__FILE__, __LINE__, #call,               \
                                               ::hierad::distributed::detail::mpi_error_string( \
                                                   hierad_mpi_rc_));                    \
    }                                                                                   \
  } while (0)

namespace hierad::distributed::detail {

std::string mpi_error_string(int code);

// float32, float64, int32, int64, uint8 -> the MPI type; anything else throws DistError naming the
// dtype and `what` (the collective).
MPI_Datatype mpi_datatype(at::ScalarType type, const char* what);

// MPI counts are int: throws DistError for tensors of more than INT_MAX elements.
int mpi_count(const at::Tensor& tensor, const char* what);

// Duplicates `comm` (collective) and makes errors on the duplicate return instead of abort.
MPI_Comm duplicate_with_error_return(MPI_Comm comm);

// This process's rank among the ranks of `comm` that share its node (MPI_COMM_TYPE_SHARED), and
// how many they are. Collective over `comm`.
struct NodeRank {
  int local_rank = 0;
  int local_size = 1;
};
NodeRank node_rank(MPI_Comm comm);

}  // namespace hierad::distributed::detail
