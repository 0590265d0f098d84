#include "src/config/run_id.hpp"

#include "src/config/config_io.hpp"

#include <cstdint>
#include <cstdio>

namespace hierad::config {

std::string run_id(const ExperimentConfig& config) {
  std::uint64_t hash = 1469598103934665603ULL;  // FNV-1a offset basis
  for (unsigned char byte : to_toml(config)) {
    hash ^= byte;
    hash *= 1099511628211ULL;  // FNV prime
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return std::string(text, 12);
}

std::filesystem::path default_run_dir(const ExperimentConfig& config) {
  return std::filesystem::path(config.output_dir) / config.name / run_id(config);
}

}  // namespace hierad::config
