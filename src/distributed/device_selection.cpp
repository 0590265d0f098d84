#include "src/distributed/device_selection.hpp"

#include "src/distributed/communicator.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace hierad::distributed {
namespace {

std::string rank_of(const NodePlace& place) { return "[rank " + std::to_string(place.world_rank) + "]"; }

std::string visible(const CudaProbe& probe) {
  std::string text = std::to_string(probe.device_count) + " CUDA device(s) visible (CUDA_VISIBLE_DEVICES=" +
                     (probe.visible_devices ? "\"" + *probe.visible_devices + "\"" : std::string("unset")) + ")";
  if (!probe.error.empty()) text += "; the CUDA runtime says: " + probe.error;
  return text;
}

// -1 for "cuda" (no index), N for "cuda:N"; nullopt for anything else.
std::optional<int> cuda_index(const std::string& setting) {
  if (setting == "cuda") return -1;
  if (setting.rfind("cuda:", 0) != 0 || setting.size() == 5) return std::nullopt;
  for (std::size_t i = 5; i < setting.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(setting[i]))) return std::nullopt;
  }
  if (setting.size() > 8) return std::nullopt;  // no machine has 1000 GPUs per process
  return std::stoi(setting.substr(5));
}

DeviceChoice choose_cuda(const std::string& setting, int index, const CudaProbe& probe, const NodePlace& place) {
  const std::string asked = "model.device = \"" + setting + "\"";
  if (!probe.compiled) {
    throw DistError(rank_of(place) + " " + asked + ", but this hierad was built with a LibTorch "
                    "without CUDA; rebuild against a CUDA LibTorch or use model.device = \"cpu\"");
  }
  if (probe.device_count == 0) {
    throw DistError(rank_of(place) + " " + asked + ", but this rank sees no GPU: " + visible(probe));
  }
  if (index >= 0) {
    if (index >= probe.device_count) {
      throw DistError(rank_of(place) + " " + asked + ", but this rank sees only " + visible(probe));
    }
    return {true, index, asked};
  }
  if (probe.device_count == 1) {
    return {true, 0, asked + ": the one GPU this rank sees" +
                         (place.local_size > 1 ? " (one per rank: " + std::to_string(place.local_size) +
                                                     " ranks on this node)"
                                               : std::string())};
  }
  if (place.local_rank >= probe.device_count) {
    throw DistError(rank_of(place) + " " + asked + ": local rank " + std::to_string(place.local_rank) +
                    " of " + std::to_string(place.local_size) + " on this node has no GPU of its own: " +
                    visible(probe) + "; start at most one rank per GPU, or give each rank its own GPU "
                    "(srun --gpus-per-task=1)");
  }
  return {true, place.local_rank, asked + ": the GPU of node-local rank " + std::to_string(place.local_rank) +
                                      " (" + std::to_string(probe.device_count) + " visible)"};
}

}  // namespace

DeviceChoice choose_device(const std::string& setting, const CudaProbe& probe, const NodePlace& place) {
  if (setting == "cpu") return {false, 0, "model.device = \"cpu\""};
  if (const auto index = cuda_index(setting)) return choose_cuda(setting, *index, probe, place);
  if (setting != "auto") {
    throw std::invalid_argument("model.device must be auto, cpu, cuda or cuda:N (got \"" + setting + "\")");
  }
  if (!probe.compiled) return {false, 0, "model.device = \"auto\": this build has no CUDA"};
  if (!probe.driver_present) {
    return {false, 0, "model.device = \"auto\": no CUDA driver (libcuda.so.1) on this machine"};
  }
  if (probe.device_count == 0) {
    if (probe.error.empty() || probe.no_device_error) {
      return {false, 0, "model.device = \"auto\": no GPU visible to this rank (" + visible(probe) + ")"};
    }
    throw DistError(rank_of(place) + " model.device = \"auto\": a CUDA driver is installed but fails (" +
                    visible(probe) + "); repair it, or set model.device = \"cpu\" to run on the CPU");
  }
  DeviceChoice choice = choose_cuda("cuda", -1, probe, place);
  choice.reason = "model.device = \"auto\": " + choice.reason.substr(choice.reason.find(':') + 2);
  return choice;
}

void check_distinct_gpus(const std::vector<std::string>& bus_ids, const NodePlace& place) {
  const std::string& mine = bus_ids.at(static_cast<std::size_t>(place.local_rank));
  if (mine.empty()) return;
  for (std::size_t r = 0; r < bus_ids.size(); ++r) {
    if (static_cast<int>(r) != place.local_rank && bus_ids[r] == mine) {
      throw DistError(rank_of(place) + " local ranks " + std::to_string(std::min<int>(r, place.local_rank)) +
                      " and " + std::to_string(std::max<int>(r, place.local_rank)) + " of this node were given "
                      "the same GPU (PCI " + mine + "): give every rank its own GPU (one rank per GPU; "
                      "check CUDA_VISIBLE_DEVICES and srun's --gpus-per-task / --gpu-bind)");
    }
  }
}

}  // namespace hierad::distributed
