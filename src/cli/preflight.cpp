#include "src/cli/preflight.hpp"

#include "src/config/data_sets.hpp"
#include "src/data/data_error.hpp"
#include "src/data/make_source.hpp"
#include "src/score/scorer.hpp"
#include "src/util/log.hpp"

#include <algorithm>
#include <memory>

namespace hierad::cli {
namespace {

std::string shape_text(const data::Shape& shape) {
  return std::to_string(shape.channels) + "x" + std::to_string(shape.height) + "x" + std::to_string(shape.width);
}

}  // namespace

std::vector<UsedSource> sources_trained_on(const config::ExperimentConfig& experiment) {
  const auto& data = experiment.data;
  std::vector<UsedSource> used;
  const auto& training = experiment.train.on == "general" ? data.general : data.in_dist;
  if (training) used.push_back({"data." + experiment.train.on, *training});
  if (experiment.train.on == "in_dist" && data.in_dist_test) used.push_back({"data.in_dist_test", *data.in_dist_test});
  if (experiment.train.outlier.enabled && data.general) used = merged(used, {{"data.general", *data.general}});
  return used;
}

std::vector<UsedSource> sources_scored(const config::ExperimentConfig& experiment) {
  std::vector<UsedSource> used;
  for (const score::ScoreSet& set : score::sets_to_score(experiment)) used.push_back({config::data_table_of(set.name), set.source});
  return used;
}

std::vector<UsedSource> merged(std::vector<UsedSource> a, const std::vector<UsedSource>& b) {
  for (const UsedSource& source : b) {
    const bool held = std::any_of(a.begin(), a.end(), [&](const UsedSource& u) { return u.table == source.table; });
    if (!held) a.push_back(source);
  }
  return a;
}

void check_sources_fit_model(const config::ExperimentConfig& experiment, const std::vector<UsedSource>& sources) {
  const data::Shape model{experiment.model.channels, experiment.model.image_size, experiment.model.image_size};
  for (const UsedSource& used : sources) {
    std::unique_ptr<data::Source> source;
    try {
      source = data::make_source(used.config, experiment.model.channels);
    } catch (const data::DataError& error) {
      throw data::DataError(error.file(), "[" + used.table + "] " + error.problem());
    }
    const data::Shape shape = source->shape();
    if (shape != model) {
      const bool forced = used.config.channels != 0 && used.config.channels != model.channels;
      throw data::DataError(used.config.path, "[" + used.table + "] (format " + used.config.format + ") yields " +
                                                  shape_text(shape) + " images, but the model reads " +
                                                  shape_text(model) + " (model.channels x model.image_size^2)" +
                                                  (forced ? "; its channels = " + std::to_string(used.config.channels) +
                                                                " overrides the model's"
                                                          : ""));
    }
    HIERAD_LOG(debug) << "[" << used.table << "] " << source->name() << ": " << source->size() << " images of "
                      << shape_text(shape);
  }
}

}  // namespace hierad::cli
