#include "src/util/runtime_info.hpp"

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <hdf5.h>
#include <mpi.h>
#include <unistd.h>

#ifdef HIERAD_WITH_NCCL
#include <nccl.h>
#endif

#include <cstdio>

#ifndef HIERAD_VERSION
#define HIERAD_VERSION "unknown"
#endif
#ifndef HIERAD_BUILD_TYPE
#define HIERAD_BUILD_TYPE "unknown"
#endif

namespace hierad::util {
namespace {

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

std::string nccl_version() {
#ifdef HIERAD_WITH_NCCL
  int code = 0;
  if (ncclGetVersion(&code) != ncclSuccess) return "built, version unknown";
  // NCCL >= 2.9 encodes major*10000 + minor*100 + patch.
  return std::to_string(code / 10000) + "." + std::to_string(code / 100 % 100) + "." +
         std::to_string(code % 100);
#else
  return "not built";
#endif
}

}  // namespace

RuntimeInfo query_runtime_info() {
  RuntimeInfo info;
  info.hierad_version = HIERAD_VERSION;
  info.build_type = HIERAD_BUILD_TYPE;
  info.torch_version = TORCH_VERSION;
#ifdef HIERAD_TORCH_CUDA
  info.torch_cuda_version = HIERAD_TORCH_CUDA;
#else
  info.torch_cuda_version = "none";
#endif
  // device_count() returns 0 when the CUDA driver is missing, as on CPU-only machines.
  info.cuda_devices = static_cast<int>(torch::cuda::device_count());
  info.threads = at::get_num_threads();
  info.interop_threads = at::get_num_interop_threads();

  char mpi_version[MPI_MAX_LIBRARY_VERSION_STRING];
  int length = 0;
  MPI_Get_library_version(mpi_version, &length);
  (void)length;  // Open MPI counts the terminating NUL in it; read up to the NUL instead
  info.mpi_version = first_line(std::string(mpi_version));
  MPI_Comm_rank(MPI_COMM_WORLD, &info.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &info.world_size);
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  info.host = host;

  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  info.hdf5_version = std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
#ifdef H5_HAVE_PARALLEL
  info.hdf5_parallel = true;
#endif
  info.nccl_version = nccl_version();
  return info;
}

std::string describe_rank(const RuntimeInfo& info, int local_rank) {
  return "rank " + std::to_string(info.rank) + "/" + std::to_string(info.world_size) + " (node-local " +
         std::to_string(local_rank) + ") on " +
         info.host + " (pid " + std::to_string(getpid()) + ", " + std::to_string(info.threads) +
         " threads, " + std::to_string(info.cuda_devices) + " CUDA devices)";
}

std::string versions_line(const RuntimeInfo& info) {
  return "hierad " + info.hierad_version + ", LibTorch " + info.torch_version + " (CUDA " +
         info.torch_cuda_version + "), " + info.mpi_version + ", HDF5 " + info.hdf5_version +
         (info.hdf5_parallel ? " parallel" : " serial") + ", NCCL " + info.nccl_version;
}

}  // namespace hierad::util
