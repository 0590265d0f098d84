// What hierad was built with and runs on, gathered in one place for `hierad info` and for the
// "versions" attribute that checkpoints and score files record.
#pragma once

#include <string>

namespace hierad::util {

struct RuntimeInfo {
  std::string hierad_version;
  std::string build_type;
  std::string torch_version;
  std::string torch_cuda_version;  // "none" for a CPU-only LibTorch
  int cuda_devices = 0;            // 0 when there is no driver or no GPU (never an error)
  int threads = 1;
  int interop_threads = 1;
  std::string mpi_version;         // first line of MPI_Get_library_version
  int rank = 0;
  int world_size = 1;
  std::string host;
  std::string hdf5_version;
  bool hdf5_parallel = false;
  std::string nccl_version;        // "not built" without the NCCL backend
};

RuntimeInfo query_runtime_info();

// "rank 0/2 (node-local 0) on host (pid 123, ...)": one line per rank for `hierad info`. The
// node-local rank (MPI_COMM_TYPE_SHARED, collective, so the caller's) picks the rank's GPU.
std::string describe_rank(const RuntimeInfo& info, int local_rank);

// "hierad 0.1.0, LibTorch 2.13.0, ..." on one line, for files that record their provenance.
std::string versions_line(const RuntimeInfo& info);

}  // namespace hierad::util
