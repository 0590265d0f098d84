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

// Note [Pre-emptible scoring]
// SIGTERM/SIGUSR1 (src/distributed/stop_signal.hpp) stop scoring after the current batch. The ranks
// agree on it after every batch: a blocking max-allreduce on the host of [this rank wants to stop,
// this rank has a batch], so every rank leaves after the same batch round however late the signal
// reached it, and ranks whose slice of the set has one batch fewer still take part. The set being
// scored is then dropped and the file, holding the finished sets only, is closed as
// <output>.partial (ScoreWriter::close_unfinished). A later call for the same output reads that
// file on rank 0 and copies each set whose checkpoint checksum, scale count, name, source path,
// count and data fingerprint all equal what it would score, instead of scoring it again; it scores
// the rest. The copied rows are the stored float64 values, so the resumed file equals an
// uninterrupted one value for value (compare_score_files); the complete file replaces the partial.

struct ScoreOutcome {
  std::vector<ScoreSummary> summaries;  // the finished sets, copied ones included
  std::vector<std::string> kept;        // sets copied from <output>.partial
  bool preempted = false;               // stopped by a signal; <output>.partial holds the finished sets
};

// Scores `checkpoint`'s model on `sets` into `output` (collective over MPI_COMM_WORLD and `comm`).
ScoreOutcome score_sets(const config::ExperimentConfig& experiment, const storage::Checkpoint& checkpoint,
                        const std::vector<ScoreSet>& sets, const std::filesystem::path& output,
                        distributed::Communicator& comm, const at::Device& device);

}  // namespace hierad::score
