// Reading experiment files into ExperimentConfig, and printing a config back as TOML.
#pragma once

#include "src/config/config_error.hpp"
#include "src/config/experiment_config.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace hierad::config {

// Reads and validates an experiment file: its `inherit` chain merged (toml_document.hpp), ${VAR}
// references expanded, every key not given at its default from experiment_config.hpp. A file with
// [stages] or [sweep] describes several runs and is refused here (see sweep_plan.hpp). Throws ConfigError naming file:line:column and the key path for a syntax
// error, an unknown key, a wrong type, an out-of-range value or a missing required key, and for a
// file that cannot be read.
ExperimentConfig load_experiment(const std::filesystem::path& file);

// The same from text (no `inherit`); `source_name` is used in error messages in place of a file name.
ExperimentConfig parse_experiment(std::string_view text, const std::string& source_name);

// The whole configuration as TOML, every key with its value and one comment of documentation.
// parse_experiment(to_toml(c)) gives c back (tested), so this is also the "resolved config" that
// runs and checkpoints store.
std::string to_toml(const ExperimentConfig& config);

// Every key as one "dotted.key.path = value" line (values as to_toml writes them, no comments or
// padding), in schema order; each present optional source and each named OOD set also as a
// "[data.general]"-style line before its keys. What run ids hash (run_id.hpp), so the text does not
// change when documentation or layout does.
std::vector<std::string> key_value_lines(const ExperimentConfig& config);

}  // namespace hierad::config
