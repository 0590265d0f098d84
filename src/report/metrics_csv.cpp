#include "src/report/metrics_csv.hpp"

#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace hierad::report {
namespace {

std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream in(line);
  for (std::string field; std::getline(in, field, ',');) out.push_back(field);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

}  // namespace

std::vector<MetricRow> read_metrics_csv(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path.string() + ": cannot open");
  const std::string expected = "score_kind,in_set,ood_set,metric,runs,mean,std";
  std::string line;
  if (!std::getline(in, line) || line.rfind(expected, 0) != 0) {
    throw std::runtime_error(path.string() + ":1: not a metrics table (expected the header " + expected + ",...)");
  }
  std::vector<MetricRow> rows;
  for (int number = 2; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    const std::vector<std::string> f = fields(line);
    try {
      if (f.size() < 7) throw std::invalid_argument("too few fields");
      MetricRow row{f[0], f[1], f[2], f[3], std::stoi(f[4]), std::stod(f[5]), f[6].empty() ? NAN : std::stod(f[6])};
      rows.push_back(std::move(row));
    } catch (const std::exception&) {
      throw std::runtime_error(path.string() + ":" + std::to_string(number) + ": cannot read the row '" + line + "'");
    }
  }
  return rows;
}

bool higher_is_better(const std::string& metric) { return metric.rfind("fpr", 0) != 0; }

}  // namespace hierad::report
