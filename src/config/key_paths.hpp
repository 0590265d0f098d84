// The dotted key paths an experiment file may set ("train.lr", "data.ood.<name>.path"), listed from
// config_schema.hpp, so that a sweep axis naming a key that does not exist is caught before any run
// starts, with a suggestion.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace hierad::config {

// Every key path, in schema order; a named source map appears as "data.ood.*.<key>".
const std::vector<std::string>& config_key_paths();

// Whether `key_path` names a key (any name matches the "*" of a source map).
bool is_config_key(const std::string& key_path);

// The known key path closest to `key_path` by edit distance, when it is close (a typo).
std::optional<std::string> closest_config_key(const std::string& key_path);

}  // namespace hierad::config
