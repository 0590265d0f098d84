// Deterministic run ids: the same resolved configuration always gets the same id, so re-running a
// command finds (and resumes) its own run directory.
#pragma once

#include "src/config/experiment_config.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace hierad::config {

// The steps of a run, in the order they run.
enum class Step { train, score, analyze };
const char* step_name(Step step);
std::optional<Step> step_from_name(const std::string& name);

// The part of the configuration `step` reads, as "key.path = value" lines of the keys that differ
// from their defaults (config_io.hpp's key_value_lines; a source's "[table]" line too): the other
// sections at their defaults. train: name, [model], [data] without the OOD sets, [train]. score: name, [model],
// [data], [score]. analyze: name, [data], [score], [analysis]. So adding an OOD set or changing the
// analysis never changes a training run's id, and re-scoring is decided by the score part alone.
// Settings that do not change results (output_dir, loader threads and prefetch, a source's io,
// log/checkpoint/validation intervals, checkpoints kept) are left out too.
std::string step_config_text(const ExperimentConfig& config, Step step);

// 12 hex digits of a 64-bit FNV-1a hash of `text`.
std::string short_hash(std::string_view text);

// The id of a run whose first step is `first`: short_hash(step_config_text(config, first)).
std::string run_id(const ExperimentConfig& config, Step first = Step::train);

// <output_dir>/<name>/<run id>: where `hierad train`, `score` and `analyze` find a run when no
// --run-dir is given (the id of its training step, as `hierad sweep` names it).
std::filesystem::path default_run_dir(const ExperimentConfig& config);

}  // namespace hierad::config
