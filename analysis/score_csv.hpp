// Per-example scores as CSV: the input of analysis/plots/plot_report.py (ROC curves, histograms).
//
// Format (one header line, then one line per example, "\n" line ends):
//   role,set,<score kind>,<score kind>,...
//   in,cifar10,-7012.5,12.25,...
//   ood,svhn,-6500.125,-3.5,...
// role is "in" (the in-distribution test set) or "ood"; set is the dataset name; each further
// column is one score kind (names of score_kinds.hpp, e.g. log_p, ratio, log_p_scale_0). Values are
// the shortest decimals that read back to the same double; non-finite values are written nan, inf,
// -inf (what Python's float() and numpy read). Text fields are CSV-quoted when needed.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace hierad::analysis {

// The examples of one dataset in one role; columns[c][i] is score kind c of example i.
struct ScoreBlock {
  std::string role;  // "in" or "ood"
  std::string set;
  std::vector<std::vector<double>> columns;
};

// Throws std::invalid_argument when a role is unknown, a block's column count differs from
// kind_names', or the columns of a block have different lengths.
void write_scores_csv(std::ostream& out, const std::vector<std::string>& kind_names,
                      const std::vector<ScoreBlock>& blocks);

}  // namespace hierad::analysis
