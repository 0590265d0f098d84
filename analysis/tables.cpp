#include "analysis/tables.hpp"

#include "storage/durable_file.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace hierad::analysis {
namespace {

std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

// Positions of first appearance, so that rows and columns follow the analysis order.
template <class Key>
void remember(std::vector<Key>& order, const Key& key) {
  for (const Key& k : order) {
    if (k == key) return;
  }
  order.push_back(key);
}

}  // namespace

std::string shortest_double(double value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
          out += buffer;
        } else {
          out += ch;  // UTF-8 passes through unchanged
        }
    }
  }
  return out + "\"";
}

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (const char ch : text) out += (ch == '"') ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

std::string markdown_cell(std::string_view text) {
  std::string out;
  for (const char ch : text) {
    if (ch == '|') out += "\\|";
    else if (ch == '\n' || ch == '\r') out += ' ';
    else out += ch;
  }
  return out;
}

void write_markdown(std::ostream& out, const std::vector<AggregateRow>& rows) {
  out << "| score | in-dist | OOD | metric | runs | mean | std | non-finite in | non-finite OOD |\n"
      << "|---|---|---|---|---:|---:|---:|---:|---:|\n";
  for (const AggregateRow& r : rows) {
    out << "| " << markdown_cell(r.score_kind) << " | " << markdown_cell(r.in_set) << " | "
        << markdown_cell(r.ood_set) << " | " << markdown_cell(r.metric) << " | " << r.runs << " | "
        << fixed(r.mean, 4) << " | " << (std::isnan(r.std) ? "n/a" : fixed(r.std, 4)) << " | "
        << r.nonfinite_in << " | " << r.nonfinite_out << " |\n";
  }
}

void write_csv(std::ostream& out, const std::vector<AggregateRow>& rows) {
  out << "score_kind,in_set,ood_set,metric,runs,mean,std,nonfinite_in,nonfinite_out\r\n";
  for (const AggregateRow& r : rows) {
    out << csv_field(r.score_kind) << ',' << csv_field(r.in_set) << ',' << csv_field(r.ood_set) << ','
        << csv_field(r.metric) << ',' << r.runs << ',' << shortest_double(r.mean) << ','
        << (std::isnan(r.std) ? "" : shortest_double(r.std)) << ',' << r.nonfinite_in << ','
        << r.nonfinite_out << "\r\n";
  }
}

void write_json(std::ostream& out, const std::vector<AggregateRow>& rows) {
  out << "[";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const AggregateRow& r = rows[i];
    out << (i ? ",\n " : "\n ") << "{\"score_kind\": " << json_string(r.score_kind)
        << ", \"in_set\": " << json_string(r.in_set) << ", \"ood_set\": " << json_string(r.ood_set)
        << ", \"metric\": " << json_string(r.metric) << ", \"runs\": " << r.runs
        << ", \"mean\": " << shortest_double(r.mean)
        << ", \"std\": " << (std::isnan(r.std) ? "null" : shortest_double(r.std))
        << ", \"nonfinite_in\": " << r.nonfinite_in << ", \"nonfinite_out\": " << r.nonfinite_out << "}";
  }
  out << (rows.empty() ? "]\n" : "\n]\n");
}

void write_paper_table_markdown(std::ostream& out, const std::vector<AggregateRow>& rows,
                                const PaperTableOptions& options) {
  using Pair = std::pair<std::string, std::string>;
  std::vector<Pair> pairs;
  std::vector<std::string> columns = options.score_kinds;
  std::map<std::pair<Pair, std::string>, const AggregateRow*> cells;
  std::size_t min_runs = 0, max_runs = 0;
  for (const AggregateRow& r : rows) {
    if (r.metric != options.metric) continue;
    const Pair pair{r.in_set, r.ood_set};
    remember(pairs, pair);
    if (options.score_kinds.empty()) remember(columns, r.score_kind);
    cells[{pair, r.score_kind}] = &r;
    min_runs = min_runs == 0 ? r.runs : std::min(min_runs, r.runs);
    max_runs = std::max(max_runs, r.runs);
  }
  if (pairs.empty()) {
    throw std::invalid_argument("write_paper_table_markdown: no rows for metric '" + options.metric + "'");
  }
  out << "**" << markdown_cell(options.metric) << (options.percent ? " (%)" : "")
      << "**, mean ± sample std over " << min_runs;
  if (max_runs != min_runs) out << "-" << max_runs;
  out << " run(s)\n\n| in-dist / OOD |";
  for (const std::string& c : columns) out << ' ' << markdown_cell(c) << " |";
  out << "\n|---|";
  for (std::size_t i = 0; i < columns.size(); ++i) out << "---:|";
  out << '\n';
  const double scale = options.percent ? 100.0 : 1.0;
  std::ostringstream notes;
  for (const Pair& pair : pairs) {
    out << "| " << markdown_cell(pair.first) << " / " << markdown_cell(pair.second) << " |";
    for (const std::string& c : columns) {
      const auto it = cells.find({pair, c});
      if (it == cells.end()) {
        out << " – |";
        continue;
      }
      const AggregateRow& r = *it->second;
      out << ' ' << fixed(scale * r.mean, options.decimals);
      if (!std::isnan(r.std)) out << " ± " << fixed(scale * r.std, options.decimals);
      if (r.nonfinite_in + r.nonfinite_out > 0) {
        out << " †";
        notes << "- † " << markdown_cell(c) << ", " << markdown_cell(pair.first) << " / "
              << markdown_cell(pair.second) << ": " << r.nonfinite_in << " in-dist and " << r.nonfinite_out
              << " OOD scores were non-finite (counted as anomalous; summed over runs)\n";
      }
      out << " |";
    }
    out << '\n';
  }
  if (!notes.str().empty()) out << '\n' << notes.str();
}

void write_tables(const std::filesystem::path& dir, const std::vector<AggregateRow>& rows,
                  const std::string& stem, const PaperTableOptions& paper) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) throw std::runtime_error(dir.string() + ": cannot create directory: " + error.message());
  std::ostringstream md, csv, json, table;
  write_markdown(md, rows);
  write_csv(csv, rows);
  write_json(json, rows);
  write_paper_table_markdown(table, rows, paper);
  storage::write_file_atomically(dir / (stem + ".md"), md.str());
  storage::write_file_atomically(dir / (stem + ".csv"), csv.str());
  storage::write_file_atomically(dir / (stem + ".json"), json.str());
  storage::write_file_atomically(dir / (stem + "_paper_" + paper.metric + ".md"), table.str());
}

}  // namespace hierad::analysis
