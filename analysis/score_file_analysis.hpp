// The analysis stage over score files: one run = the in-distribution model's score file and,
// optionally, the general model's score file of the same sets. For every score kind and every OOD
// set, the in-distribution test set's scores are compared with the OOD set's by every metric.
//
// Examples of the two models are paired by their example index (likelihood_pairing.hpp); the general
// model's file must hold the same sets with the same examples.
#pragma once

#include "analysis/aggregate.hpp"
#include "analysis/score_csv.hpp"
#include "analysis/score_kinds.hpp"
#include "storage/score_reader.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hierad::analysis {

struct RunScoreFiles {
  std::string run;                                // run id / seed label, unique per analysis
  storage::ScoreFile in;                          // the in-distribution model's scores
  std::optional<storage::ScoreFile> general;      // the general model's scores of the same sets
};

struct AnalysisRequest {
  std::string in_set = "in_dist_test";            // the in-distribution test set's name in the files
  std::vector<std::string> ood_sets;              // empty: every other set of the first run's file
  std::vector<std::string> score_kinds;           // names (score_kinds.hpp); empty: the standard list
  // Input complexity (Serra et al.): per set name, the PNG bits/dim of every example, indexed by
  // the example index the score file records (png_complexity.hpp). When every compared set has
  // them, the standard kinds include input_complexity.
  std::map<std::string, std::vector<double>> png_bits_per_dim;
  std::size_t image_dims = 0;                     // D = C*H*W, needed with png_bits_per_dim
  // Note [authors' non-finite convention] (score_kinds.hpp): each model's non-finite terms are
  // replaced by -3e6 before scores are formed, and every kind name carries the suffix.
  bool authors_non_finite = false;
};

struct AnalysisOutput {
  std::vector<MetricRecord> records;              // every (run, kind, in set, ood set, metric)
  std::vector<std::string> kind_names;            // the columns of `blocks`
  std::vector<ScoreBlock> blocks;                 // per-example scores of the first run (for plots)
};

// Throws std::invalid_argument / std::runtime_error naming the run, file and set when a set is
// missing, the two models' files disagree, or a requested kind needs a general model that a run
// does not have.
AnalysisOutput analyse(const std::vector<RunScoreFiles>& runs, const AnalysisRequest& request);

}  // namespace hierad::analysis
