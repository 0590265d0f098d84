#include "src/distributed/mpi_util.hpp"

#include <climits>

namespace hierad::distributed::detail {

std::string mpi_error_string(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) {
    return "MPI error code " + std::to_string(code);
  }
  return std::string(text, static_cast<std::size_t>(length));
}

MPI_Datatype mpi_datatype(at::ScalarType type, const char* what) {
  switch (type) {
    case at::kFloat: return MPI_FLOAT;
    case at::kDouble: return MPI_DOUBLE;
    case at::kInt: return MPI_INT32_T;
    case at::kLong: return MPI_INT64_T;
    case at::kByte: return MPI_UINT8_T;
    default:
      throw DistError(std::string(what) + ": " + rank_label() + " the MPI backend has no mapping "
                      "for dtype " + std::string(c10::toString(type)) +
                      " (use float32, float64, int32, int64 or uint8)");
  }
}

int mpi_count(const at::Tensor& tensor, const char* what) {
  if (tensor.numel() > INT_MAX) {
    throw DistError(std::string(what) + ": " + rank_label() + " tensor of " +
                    std::to_string(tensor.numel()) + " elements exceeds MPI's int count");
  }
  return static_cast<int>(tensor.numel());
}

MPI_Comm duplicate_with_error_return(MPI_Comm comm) {
  MPI_Comm dup = MPI_COMM_NULL;
  // The duplicate still has the parent's (fatal) handler, so this call cannot report nicely.
  HIERAD_MPI_CHECK(MPI_Comm_dup(comm, &dup));
  HIERAD_MPI_CHECK(MPI_Comm_set_errhandler(dup, MPI_ERRORS_RETURN));
  return dup;
}

NodeRank node_rank(MPI_Comm comm) {
  int rank = 0;
  HIERAD_MPI_CHECK(MPI_Comm_rank(comm, &rank));
  MPI_Comm node = MPI_COMM_NULL;
  HIERAD_MPI_CHECK(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node));
  NodeRank result;
  try {
    HIERAD_MPI_CHECK(MPI_Comm_rank(node, &result.local_rank));
    HIERAD_MPI_CHECK(MPI_Comm_size(node, &result.local_size));
  } catch (...) {
    MPI_Comm_free(&node);
    throw;
  }
  MPI_Comm_free(&node);
  return result;
}

}  // namespace hierad::distributed::detail
