#include "analysis/score_csv.hpp"

#include "analysis/tables.hpp"

#include <cmath>
#include <ostream>
#include <stdexcept>

namespace hierad::analysis {
namespace {

std::string value_text(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return shortest_double(v);
}

}  // namespace

void write_scores_csv(std::ostream& out, const std::vector<std::string>& kind_names,
                      const std::vector<ScoreBlock>& blocks) {
  for (const ScoreBlock& b : blocks) {
    const std::string where = "write_scores_csv: block " + b.role + "/" + b.set;
    if (b.role != "in" && b.role != "ood") throw std::invalid_argument(where + ": role must be 'in' or 'ood'");
    if (b.columns.size() != kind_names.size()) {
      throw std::invalid_argument(where + " has " + std::to_string(b.columns.size()) + " columns for " +
                                  std::to_string(kind_names.size()) + " score kinds");
    }
    for (const auto& column : b.columns) {
      if (column.size() != b.columns.front().size()) {
        throw std::invalid_argument(where + ": columns have different lengths");
      }
    }
  }
  out << "role,set";
  for (const std::string& name : kind_names) out << ',' << csv_field(name);
  out << '\n';
  for (const ScoreBlock& b : blocks) {
    const std::string prefix = b.role + ',' + csv_field(b.set);
    const std::size_t n = b.columns.empty() ? 0 : b.columns.front().size();
    for (std::size_t i = 0; i < n; ++i) {
      out << prefix;
      for (const auto& column : b.columns) out << ',' << value_text(column[i]);
      out << '\n';
    }
  }
}

}  // namespace hierad::analysis
