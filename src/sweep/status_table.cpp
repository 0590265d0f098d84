#include "src/sweep/status_table.hpp"

#include "src/sweep/run_lock.hpp"
#include "src/sweep/run_status.hpp"
#include "src/sweep/text_table.hpp"
#include "src/util/format_duration.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <vector>

namespace hierad::sweep {
namespace {

std::vector<std::filesystem::path> find_runs(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> runs;
  std::error_code ignored;
  const auto consider = [&](const std::filesystem::path& candidate) {
    if (std::filesystem::is_regular_file(candidate / "status.toml", ignored)) runs.push_back(candidate);
  };
  consider(dir);
  if (!runs.empty()) return runs;
  for (const auto& child : std::filesystem::directory_iterator(dir, ignored)) {
    if (!child.is_directory(ignored)) continue;
    consider(child.path());
    for (const auto& grandchild : std::filesystem::directory_iterator(child.path(), ignored)) {
      if (grandchild.is_directory(ignored)) consider(grandchild.path());
    }
  }
  std::sort(runs.begin(), runs.end());
  return runs;
}

std::string fixed(double value, int decimals) {
  if (!std::isfinite(value)) return "?";
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

}  // namespace

std::vector<RunRow> status_rows(const std::filesystem::path& dir) {
  const std::vector<std::filesystem::path> runs = find_runs(dir);
  if (runs.empty()) {
    throw std::runtime_error(dir.string() + " holds no run directory (none with a status.toml at depth 0-2)");
  }
  std::vector<RunRow> rows;
  for (const auto& run : runs) {
    const RunStatus status = read_status(run);
    RunRow row;
    row.dir = run;
    row.name = run == dir ? run.filename().string() : std::filesystem::relative(run, dir).string();
    row.stage = status.stage.empty() ? "-" : status.stage;
    row.state = state_name(status.state);
    if (status.state == RunState::running && !run_is_locked(run)) row.state = "interrupted";
    row.step = row.bpd = row.images_per_s = row.eta = "-";
    if (const auto progress = read_progress(run)) {
      row.step = std::to_string(progress->step) + "/" + std::to_string(progress->steps);
      row.bpd = fixed(progress->bpd, 3);
      row.images_per_s = fixed(progress->images_per_s, 1);
      if (row.state == "running") row.eta = util::format_duration(progress->eta_s);
    }
    row.failures = std::to_string(status.failures);
    if (status.failures > 0 && !status.last_error.empty()) row.failures += " (" + status.last_error + ")";
    row.sweep_values = status.label.empty() ? "-" : status.label;
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string status_table(const std::filesystem::path& dir) {
  const std::vector<RunRow> runs = status_rows(dir);
  std::vector<std::vector<std::string>> rows = {
      {"run", "stage", "state", "step", "bpd", "img/s", "ETA", "failures", "sweep values"}};
  std::map<std::string, int> counts;
  for (const RunRow& r : runs) {
    ++counts[r.state];
    rows.push_back({r.name, r.stage, r.state, r.step, r.bpd, r.images_per_s, r.eta, r.failures, r.sweep_values});
  }
  std::string summary = std::to_string(runs.size()) + " runs:";
  for (const auto& [state, count] : counts) summary += " " + std::to_string(count) + " " + state + ",";
  summary.pop_back();
  return aligned_table(rows) + summary + "\n";
}

}  // namespace hierad::sweep
