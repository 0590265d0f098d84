// hierad's one logging facility: spdlog's default logger, configured once per process.
//
// Every rank logs through the same calls (spdlog::info, spdlog::warn, ...). Only rank 0 prints
// info-level lines by default, so an mpirun of 64 ranks does not print everything 64 times; warnings
// and errors always print, prefixed by the rank. `--log-all-ranks` lifts the filter.
#pragma once

#include <spdlog/spdlog.h>

#include <string>

namespace hierad::log {

struct Options {
  int rank = 0;
  int world_size = 1;
  bool all_ranks = false;             // info/debug lines from every rank, not only rank 0
  std::string level = "info";         // trace, debug, info, warn, error, off
};

// Installs the default logger: timestamps, level, and "[rank r/n]" when world_size > 1.
// Throws std::invalid_argument for an unknown level name.
void init(const Options& options);

}  // namespace hierad::log
