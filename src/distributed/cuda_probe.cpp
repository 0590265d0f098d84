#include "src/distributed/cuda_probe.hpp"

#include <cstdlib>

#ifdef HIERAD_WITH_NCCL
#include <cuda_runtime.h>
#include <dlfcn.h>
#endif

namespace hierad::distributed {

CudaProbe probe_cuda() {
  CudaProbe probe;
  if (const char* env = std::getenv("CUDA_VISIBLE_DEVICES")) probe.visible_devices = env;
#ifdef HIERAD_WITH_NCCL
  probe.compiled = true;
  if (void* driver = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL)) {
    probe.driver_present = true;
    dlclose(driver);
  }
  int count = 0;
  const cudaError_t rc = cudaGetDeviceCount(&count);
  if (rc == cudaSuccess) {
    probe.device_count = count;
  } else {
    probe.error = std::string(cudaGetErrorName(rc)) + ": " + cudaGetErrorString(rc);
    probe.no_device_error = rc == cudaErrorNoDevice;
    cudaGetLastError();  // clear the sticky-free error so later calls start clean
  }
#endif
  return probe;
}

std::string pci_bus_id(int device) {
#ifdef HIERAD_WITH_NCCL
  char id[32] = {};
  if (cudaDeviceGetPCIBusId(id, sizeof id, device) == cudaSuccess) return id;
  cudaGetLastError();
#else
  (void)device;
#endif
  return {};
}

}  // namespace hierad::distributed
