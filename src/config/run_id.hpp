// Deterministic run ids: the same resolved configuration always gets the same id, so re-running a
// command finds (and resumes) its own run directory.
#pragma once

#include "src/config/experiment_config.hpp"

#include <filesystem>
#include <string>

namespace hierad::config {

// 12 hex digits of a 64-bit FNV-1a hash of to_toml(config) (the resolved text: defaults included,
// comments and key order fixed by the schema, so formatting of the source file does not matter).
std::string run_id(const ExperimentConfig& config);

// <output_dir>/<name>/<run id>: where `hierad train`, `score` and `analyze` find a run when no
// --run-dir is given.
std::filesystem::path default_run_dir(const ExperimentConfig& config);

}  // namespace hierad::config
