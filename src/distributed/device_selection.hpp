// Which device a rank trains or scores on: a pure function of the setting (model.device), what
// the CUDA runtime reports, and where the rank sits on its node, so that every case is unit-tested
// without a GPU. The probe of the real machine is cuda_probe.hpp.
//
//   cpu     the CPU.
//   cuda    cuda:<node-local rank> when the rank sees at least as many GPUs as ranks share its node
//           (every rank sees every GPU: mpirun, srun --gpus-per-node); cuda:0 when it sees exactly
//           one (each rank its own GPU: CUDA_VISIBLE_DEVICES per task, srun --gpus-per-task=1).
//   cuda:N  exactly that device.
//   auto    as cuda when the CUDA driver works and shows a GPU; the CPU when this build or this
//           machine has no CUDA at all, or no GPU is visible; an error when a driver is installed
//           but fails (a GPU machine whose driver is broken should not quietly train on its CPU).
// A CUDA request that cannot be met is a DistError naming the rank, the visible devices and the
// driver's own message, never a silent CPU run.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace hierad::distributed {

// What the CUDA runtime says on this process.
struct CudaProbe {
  bool compiled = false;        // this hierad links LibTorch with CUDA
  bool driver_present = false;  // libcuda.so.1 can be loaded
  int device_count = 0;         // cudaGetDeviceCount, 0 on error
  bool no_device_error = false; // the error was cudaErrorNoDevice (a driver, but no GPU assigned)
  std::string error;            // the runtime's message when cudaGetDeviceCount failed, else empty
  std::optional<std::string> visible_devices;  // CUDA_VISIBLE_DEVICES, if set
};

struct NodePlace {
  int world_rank = 0;
  int local_rank = 0;  // among the ranks on this node
  int local_size = 1;
};

struct DeviceChoice {
  bool cuda = false;
  int index = 0;        // CUDA device index (meaningful when cuda)
  std::string reason;   // one line for the log: why this device
  std::string str() const { return cuda ? "cuda:" + std::to_string(index) : "cpu"; }
};

// Throws DistError as described above, and std::invalid_argument for a setting that is none of
// auto, cpu, cuda, cuda:N.
DeviceChoice choose_device(const std::string& setting, const CudaProbe& probe, const NodePlace& place);

// Two ranks of one node on one GPU would halve both (and NCCL refuses it): throws DistError naming
// both ranks and the GPU when `bus_ids[local_rank]` (this rank's GPU's PCI bus id) appears at
// another local rank. Empty ids (CPU ranks, unknown) are ignored.
void check_distinct_gpus(const std::vector<std::string>& bus_ids, const NodePlace& place);

}  // namespace hierad::distributed
