// What this process's CUDA runtime reports (device_selection.hpp turns it into a device), and the
// PCI bus id of a device (so that two ranks given the same GPU are caught before NCCL is).
#pragma once

#include "src/distributed/device_selection.hpp"

#include <string>

namespace hierad::distributed {

// Never throws; a build without CUDA reports compiled = false.
CudaProbe probe_cuda();

// "0000:1b:00.0"; empty when unknown (no CUDA).
std::string pci_bus_id(int device);

}  // namespace hierad::distributed
