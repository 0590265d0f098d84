// Experiment files as TOML documents, before they become typed configs: `inherit` chains merged,
// `${VAR}` references expanded, and ConfigErrors located at the node that caused them.
//
// Internal to the config layer (toml_reader.cpp, sweep_plan.cpp): the rest of hierad sees
// ExperimentConfig and SweepPlan only, never toml++.
#pragma once

#include "src/config/config_error.hpp"
#include "src/config/experiment_config.hpp"

#include <toml++/toml.h>

#include <filesystem>
#include <string>

namespace hierad::config {

// Parses `file` and, when it has a top-level `inherit = "base.toml"` (a path relative to the file),
// first the base, recursively; the file's tables then merge key by key over the base's (see
// merge_over). The result has no `inherit` key. Errors (syntax, unreadable file, an inherit that is
// not a string, a cycle) name the file, line and key. Nodes keep their source: an error found
// later still names the file and line where the value was written.
toml::table read_document(const std::filesystem::path& file);

// Moves every key of `over` into `base`: tables merge recursively, anything else (values, arrays)
// replaces what `base` had.
void merge_over(toml::table& base, toml::table&& over);

// Sets `value` at a dotted key path ("train.lr"), creating the tables on the way. Throws ConfigError
// (`fallback_file`, `key_path`) when the path runs into a value that is not a table.
void set_at_path(toml::table& root, const std::string& key_path, toml::node&& value,
                 const std::string& fallback_file);

// Replaces ${NAME} in every string value with the environment variable's value, and ${NAME:-text}
// with text when NAME is unset or empty. An unset variable without a default is a ConfigError
// naming the file, line and key.
void expand_environment(toml::table& root, const std::string& fallback_file);

// A ConfigError at `node`: its own file and line when toml++ knows them (values moved from a parsed
// file keep them), else `fallback_file`.
ConfigError error_at(const toml::node& node, const std::string& fallback_file, const std::string& key_path,
                     const std::string& message);

// The typed config of a document that has neither [stages] nor [sweep] left in it: every key
// checked against config_schema.hpp (toml_reader.cpp).
ExperimentConfig experiment_from_table(const toml::table& root, const std::string& file);

}  // namespace hierad::config
