// An experiment file with stages and a sweep, expanded into the runs it describes.
//
// A file's top-level sections are the common configuration. [stages.<name>] tables add a stage
// each: `do` (steps: train, score, analyze), `needs` (stages that must finish first) and config
// sections merged over the common ones. "stage:<name>" in train.init_from,
// train.outlier.general_checkpoint or score.checkpoint means that stage's checkpoint; in
// analysis.general_scores or analysis.runs, its score file. [sweep] crosses grid axes with seeded
// random draws; every stage of every point is one run. Runs with the same id (a shared pretraining)
// are one run. "all:<name>" in analysis.runs means the score files of every run of that stage: a
// stage using it only analyses, once, after every point (mean and spread over seeds).
// experiments/README.md documents the format.
#pragma once

#include "src/config/experiment_config.hpp"
#include "src/config/run_id.hpp"

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace hierad::config {

struct PlannedRun {
  std::string stage;
  std::string id;                              // run_id(config, steps.front())
  std::filesystem::path dir;                   // <output_dir>/<name>/<id>
  ExperimentConfig config;                     // resolved: stage references replaced by paths
  std::vector<Step> steps;                     // in running order
  std::map<Step, std::string> fingerprints;    // a step is done when its status records this value
  std::vector<std::size_t> needs;              // indices (into SweepPlan::runs) of runs that come first
  int level = 0;                               // 0: needs nothing; else 1 + the deepest need's level
  std::string label;                           // the sweep values that shaped this run ("train.lr=0.001")
};

struct SweepPlan {
  std::filesystem::path file;
  std::string experiment;                      // the experiment's name
  std::size_t points = 1;                      // sweep points (grid combinations x random samples)
  std::vector<PlannedRun> runs;                // by level; every run after the runs it needs
  int levels() const;
  // Indices of the runs of `level`, in plan order (what --level L --task I counts).
  std::vector<std::size_t> runs_of_level(int level) const;
};

// Reads, checks and expands `file`. Throws ConfigError naming file, line and key for: a sweep axis
// naming no configuration key or no stage, an axis that is not a non-empty array or a
// {uniform|log_uniform = [low, high]} table, a stage reference or `needs` naming a missing stage, a
// cycle among stages, and everything load_experiment rejects.
SweepPlan plan_sweep(const std::filesystem::path& file);

}  // namespace hierad::config
