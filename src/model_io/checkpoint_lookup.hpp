// Where a config points at a model: a checkpoint file, a run directory or its checkpoints/ folder.
#pragma once

#include "storage/checkpoint.hpp"

#include <string>

namespace hierad::model_io {

// Which model of a run directory a step may use.
struct ModelLookup {
  // What asks, for the messages: "score", "train.init_from", "train.outlier.general_checkpoint".
  std::string purpose;
  // The config key or flag that sets accept_older, for the error message's hint.
  std::string accept_option;
  // Take the run's newest valid checkpoint, with a warning, when the run has not finished or its
  // final checkpoint does not verify. Off by default: another stage's model must be the final one.
  bool accept_older = false;
};

// A file is read and verified as is (never replaced by another). A directory (a run directory, or
// the checkpoints/ folder in it) gives the final checkpoint of its finished training, as its
// progress.toml records it (storage/training_end.hpp); a run that has not finished, or whose final
// checkpoint is missing or corrupt, is a std::runtime_error naming the run, the file and what is
// wrong with it, unless `lookup.accept_older`, which takes the newest valid checkpoint instead and
// logs a warning saying which and why.
storage::Checkpoint read_final_checkpoint(const std::string& path, const ModelLookup& lookup);

}  // namespace hierad::model_io
