// Checks before the first step: every set a run will train on, score or analyse is opened and its
// image shape compared with the model's, so that bad input fails in seconds instead of after the
// training (a grey model and an RGB folder used to fail at scoring, hours later).
#pragma once

#include "src/config/experiment_config.hpp"

#include <string>
#include <vector>

namespace hierad::cli {

// One [data] source a run uses, with the TOML table it comes from ("data.ood.svhn").
struct UsedSource {
  std::string table;
  config::SourceConfig config;
};

// The sources `hierad train` reads: the training set (train.on), the validation set (in_dist_test,
// when training in-distribution) and the general set of the outlier loss.
std::vector<UsedSource> sources_trained_on(const config::ExperimentConfig& experiment);
// The sources `hierad score` reads (score.sets, see score::sets_to_score), which the analysis reads too.
std::vector<UsedSource> sources_scored(const config::ExperimentConfig& experiment);
// `a` then the sources of `b` that `a` does not hold.
std::vector<UsedSource> merged(std::vector<UsedSource> a, const std::vector<UsedSource>& b);

// Opens every source and checks that it yields images of the model's shape (model.channels x
// model.image_size x model.image_size). Throws data::DataError naming the table, the format, the
// path and both shapes for the first that does not fit, and passes on the reader's own DataError for
// a source that cannot be opened.
void check_sources_fit_model(const config::ExperimentConfig& experiment, const std::vector<UsedSource>& sources);

}  // namespace hierad::cli
