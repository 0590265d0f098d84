// `hierad status DIR`: where every run under DIR stands, from the files in the run directories
// (status.toml, progress.toml, the lock), so it works while sweeps run and after they died.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace hierad::sweep {

// One run as `hierad status` shows it; "-" where a value is not known yet.
struct RunRow {
  std::filesystem::path dir;
  std::string name;          // relative to the DIR asked for (its own name if DIR is the run)
  std::string stage, state, step, bpd, images_per_s, eta, failures, sweep_values;
};

// The runs at DIR, DIR/* or DIR/*/* (those with a status.toml), in path order. Throws
// std::runtime_error when DIR holds no run.
std::vector<RunRow> status_rows(const std::filesystem::path& dir);

// A table with one row per run directory found at DIR, DIR/* or DIR/*/* (DIR may be a run, an
// experiment's folder or the runs root): run, stage, state, step of total, latest bits/dim,
// images/s, ETA, failures, sweep values; then a count per state. A run marked running whose lock
// nobody holds shows as "interrupted". Throws std::runtime_error when DIR holds no run.
std::string status_table(const std::filesystem::path& dir);

}  // namespace hierad::sweep
