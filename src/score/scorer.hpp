// Scoring: a trained Glow's per-example, per-scale likelihood terms on every set an experiment
// lists, written into one HDF5 score file (storage/score_store.hpp) by all ranks together.
//
// Each rank evaluates a disjoint slice of each set (the evaluation loader: source order, no
// augmentation, every example exactly once across ranks), in inference mode with bin-centre
// dequantisation (method.md §3), and the file's rows are the examples' positions in the set.
#pragma once

#include "src/config/experiment_config.hpp"
#include "src/distributed/communicator.hpp"
#include "storage/checkpoint.hpp"

#include <ATen/core/Tensor.h>

#include <filesystem>
#include <string>
#include <vector>

namespace hierad::score {

struct ScoreSet {
  std::string name;             // group name in the score file
  config::SourceConfig source;
};

// score.sets by name ("in_dist_test", "general", "in_dist" or an OOD name), or, when empty,
// in_dist_test, every [data.ood.*] set and general (whichever exist). Throws std::runtime_error
// naming the experiment file and the unknown set.
std::vector<ScoreSet> sets_to_score(const config::ExperimentConfig& experiment);

struct ScoreSummary {
  std::string set;
  std::int64_t count = 0;
  double mean_bpd = 0.0;
  std::int64_t non_finite = 0;  // examples whose log p is not finite
};

// Scores `checkpoint`'s model on `sets` into `output` (collective over MPI_COMM_WORLD and `comm`).
std::vector<ScoreSummary> score_sets(const config::ExperimentConfig& experiment,
                                     const storage::Checkpoint& checkpoint, const std::vector<ScoreSet>& sets,
                                     const std::filesystem::path& output, distributed::Communicator& comm,
                                     const at::Device& device);

}  // namespace hierad::score
