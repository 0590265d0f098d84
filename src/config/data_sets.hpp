// The sets of [data] by the names hierad gives them everywhere (score files, `score.sets`, error
// messages): in_dist, in_dist_test, general, or the name of an ood set.
#pragma once

#include "src/config/experiment_config.hpp"

#include <string>

namespace hierad::config {

inline bool is_named_set(const std::string& name) {
  return name == "in_dist" || name == "in_dist_test" || name == "general";
}

// The TOML table a set is configured in: "data.general", "data.ood.svhn".
inline std::string data_table_of(const std::string& name) {
  return is_named_set(name) ? "data." + name : "data.ood." + name;
}

// The set's source, or nullptr when the experiment configures none of that name.
inline const SourceConfig* data_source_of(const DataConfig& data, const std::string& name) {
  const std::optional<SourceConfig>* named = name == "in_dist"        ? &data.in_dist
                                             : name == "in_dist_test" ? &data.in_dist_test
                                             : name == "general"      ? &data.general
                                                                      : nullptr;
  if (named != nullptr && named->has_value()) return &**named;
  const auto ood = data.ood.find(name);
  return ood == data.ood.end() ? nullptr : &ood->second;
}

}  // namespace hierad::config
