// Table writers for aggregated metrics: Markdown, CSV, JSON, and the paper's layout.
//
// Long tables (Markdown, CSV, JSON) have one row per (score kind, in-dist set, OOD set, metric) with
// columns score_kind, in_set, ood_set, metric, runs, mean, std, nonfinite_in, nonfinite_out.
// CSV and JSON print numbers as the shortest decimal that reads back to the same double; a missing
// standard deviation (one run) is an empty CSV field and JSON null. Text is escaped for each format
// (CSV: RFC 4180 quoting; JSON: quotes, backslashes and control characters; Markdown: pipes).
//
// The paper's layout (Schirrmeister et al. 2020, Table 1 style): one row per "in-dist / OOD" pair,
// one column per score kind, cells "mean ± std" of one metric (AUROC by default, in percent).
// Cells whose scores had non-finite values carry a dagger and a footnote with the counts.
#pragma once

#include "analysis/aggregate.hpp"

#include <filesystem>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace hierad::analysis {

void write_markdown(std::ostream& out, const std::vector<AggregateRow>& rows);
void write_csv(std::ostream& out, const std::vector<AggregateRow>& rows);
void write_json(std::ostream& out, const std::vector<AggregateRow>& rows);

struct PaperTableOptions {
  std::string metric = "auroc";          // which metric fills the cells
  std::vector<std::string> score_kinds;  // column order; empty = order of first appearance
  bool percent = true;                   // print 100 * value
  int decimals = 1;
};
void write_paper_table_markdown(std::ostream& out, const std::vector<AggregateRow>& rows,
                                const PaperTableOptions& options = {});

// Writes <dir>/<stem>.md, .csv, .json and <dir>/<stem>_paper_<metric>.md (creating `dir`).
// Throws std::runtime_error naming the file that could not be written.
void write_tables(const std::filesystem::path& dir, const std::vector<AggregateRow>& rows,
                  const std::string& stem = "metrics", const PaperTableOptions& paper = {});

// Escaping helpers, exposed for tests.
std::string json_string(std::string_view text);   // with the surrounding quotes
std::string csv_field(std::string_view text);     // quoted only when needed
std::string markdown_cell(std::string_view text);
std::string shortest_double(double value);        // round-trip decimal; "nan"/"inf" never asked for

}  // namespace hierad::analysis
