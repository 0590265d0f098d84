#include "src/config/run_id.hpp"

#include "src/config/config_io.hpp"

#include <cstdint>
#include <cstdio>
#include <set>
#include <utility>

namespace hierad::config {

const char* step_name(Step step) {
  switch (step) {
    case Step::train: return "train";
    case Step::score: return "score";
    case Step::analyze: return "analyze";
  }
  return "?";
}

std::optional<Step> step_from_name(const std::string& name) {
  for (Step step : {Step::train, Step::score, Step::analyze}) {
    if (name == step_name(step)) return step;
  }
  return std::nullopt;
}

std::string step_config_text(const ExperimentConfig& config, Step step) {
  const ExperimentConfig defaults;
  ExperimentConfig part = config;
  // Settings that change how a run works but not what it computes: where runs live, how data is
  // read (the order and the noise are keyed by image position, not by threads or I/O method), how
  // often it logs and checkpoints, how long a collective may wait. A run can be resumed with other
// values of these.
  part.output_dir = defaults.output_dir;
  part.data.loader_threads = defaults.data.loader_threads;
  part.data.prefetch_batches = defaults.data.prefetch_batches;
  for (std::optional<SourceConfig>* source : {&part.data.general, &part.data.in_dist, &part.data.in_dist_test}) {
    if (*source) (*source)->io = SourceConfig{}.io;
  }
  for (auto& [name, source] : part.data.ood) source.io = SourceConfig{}.io;
  part.train.log_every = defaults.train.log_every;
  part.train.checkpoint_every = defaults.train.checkpoint_every;
  part.train.keep_checkpoints = defaults.train.keep_checkpoints;
  part.train.validate_every = defaults.train.validate_every;
  part.train.collective_timeout = defaults.train.collective_timeout;
  // Whether an older checkpoint of another run may stand in for its final one: the escape hatch of
  // model_io/checkpoint_lookup.hpp, given for one call (hierad train/score --accept-older-checkpoint).
  part.train.accept_older_checkpoint = defaults.train.accept_older_checkpoint;
  part.score.accept_older_checkpoint = defaults.score.accept_older_checkpoint;
  switch (step) {
    case Step::train:
      part.data.ood.clear();
      part.score = defaults.score;
      part.analysis = defaults.analysis;
      break;
    case Step::score:
      part.train = defaults.train;
      part.analysis = defaults.analysis;
      break;
    case Step::analyze:
      part.model = defaults.model;
      part.train = defaults.train;
      break;
  }
  // Only what differs from the defaults, one "key.path = value" line each: a key that a later
  // hierad adds with a default, a reworded comment or a new layout of to_toml then leaves every
  // existing run id (and a sweep's finished steps) as it was. The baseline has the same sources
  // as `part`, each at SourceConfig's defaults, so a source's own defaults drop out too; each
  // source's "[table]" line stays, since whether a source is given is part of the run.
  ExperimentConfig baseline;
  for (auto [mine, theirs] : {std::pair{&part.data.general, &baseline.data.general},
                              std::pair{&part.data.in_dist, &baseline.data.in_dist},
                              std::pair{&part.data.in_dist_test, &baseline.data.in_dist_test}}) {
    if (*mine) *theirs = SourceConfig{};
  }
  for (const auto& [name, source] : part.data.ood) baseline.data.ood[name] = SourceConfig{};
  const std::vector<std::string> base_lines = key_value_lines(baseline);
  const std::set<std::string> at_default(base_lines.begin(), base_lines.end());
  std::string text;
  for (const std::string& line : key_value_lines(part)) {
    if (line.front() == '[' || !at_default.count(line)) text += line + "\n";
  }
  return text;
}

std::string short_hash(std::string_view text) {
  std::uint64_t hash = 1469598103934665603ULL;  // FNV-1a offset basis
  for (unsigned char byte : text) {
    hash ^= byte;
    hash *= 1099511628211ULL;  // FNV prime
  }
  char digits[17];
  std::snprintf(digits, sizeof digits, "%016llx", static_cast<unsigned long long>(hash));
  return std::string(digits, 12);
}

std::string run_id(const ExperimentConfig& config, Step first) {
  return short_hash(step_config_text(config, first));
}

std::filesystem::path default_run_dir(const ExperimentConfig& config) {
  return std::filesystem::path(config.output_dir) / config.name / run_id(config);
}

}  // namespace hierad::config
