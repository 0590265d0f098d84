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

std::string status_table(const std::filesystem::path& dir) {
  const std::vector<std::filesystem::path> runs = find_runs(dir);
  if (runs.empty()) {
    throw std::runtime_error(dir.string() + " holds no run directory (none with a status.toml at depth 0-2)");
  }
  std::vector<std::vector<std::string>> rows = {
      {"run", "stage", "state", "step", "bpd", "img/s", "ETA", "failures", "sweep values"}};
  std::map<std::string, int> counts;
  for (const auto& run : runs) {
    const RunStatus status = read_status(run);
    std::string state = state_name(status.state);
    if (status.state == RunState::running && !run_is_locked(run)) state = "interrupted";
    ++counts[state];
    std::string step = "-", bpd = "-", rate = "-", eta = "-";
    if (const auto progress = read_progress(run)) {
      step = std::to_string(progress->step) + "/" + std::to_string(progress->steps);
      bpd = fixed(progress->bpd, 3);
      rate = fixed(progress->images_per_s, 1);
      if (state == "running") eta = util::format_duration(progress->eta_s);
    }
    std::string failures = std::to_string(status.failures);
    if (status.failures > 0 && !status.last_error.empty()) failures += " (" + status.last_error + ")";
    const std::string name = run == dir ? run.filename().string() : std::filesystem::relative(run, dir).string();
    rows.push_back({name, status.stage.empty() ? "-" : status.stage, state, step, bpd, rate, eta, failures,
                    status.label.empty() ? "-" : status.label});
  }
  std::string summary = std::to_string(runs.size()) + " runs:";
  for (const auto& [state, count] : counts) summary += " " + std::to_string(count) + " " + state + ",";
  summary.pop_back();
  return aligned_table(rows) + summary + "\n";
}

}  // namespace hierad::sweep
