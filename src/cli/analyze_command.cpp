// `hierad analyze EXP.toml`: score files -> anomaly scores, every metric, tables and plots.
#include "analysis/png_complexity.hpp"
#include "analysis/score_file_analysis.hpp"
#include "analysis/tables.hpp"
#include "src/cli/commands.hpp"
#include "src/cli/exit_codes.hpp"
#include "src/config/config_io.hpp"
#include "src/config/data_sets.hpp"
#include "src/config/run_id.hpp"
#include "src/data/make_source.hpp"
#include "src/util/log.hpp"
#include "storage/durable_file.hpp"

#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#ifndef HIERAD_SOURCE_DIR
#define HIERAD_SOURCE_DIR "."
#endif

namespace hierad::cli {
namespace {

struct AnalyzeArgs {
  std::string experiment;
  std::string run_dir;
  std::string scores;
  std::string output;
  bool no_plots = false;
};

std::string run_label(const storage::ScoreFile& file) {
  const std::string& id = file.info.checkpoint.run_id;
  return id.empty() ? file.path.stem().string() : id;
}

// Serra et al.'s complexity L(x) of every image of every set the score file holds, indexed by the
// example index the file records (the index in the source as the experiment configures it).
void add_png_complexity(const config::ExperimentConfig& experiment, const storage::ScoreFile& scores,
                        analysis::AnalysisRequest& request) {
  for (const storage::ScoreSet& set : scores.sets) {
    const config::SourceConfig* config = config::data_source_of(experiment.data, set.info.name);
    if (config == nullptr) {
      HIERAD_LOG(warn) << "no [data] source named " << set.info.name << ": no input-complexity baseline";
      request.png_bits_per_dim.clear();
      return;
    }
    const auto source = data::make_source(*config, experiment.model.channels);
    const data::Shape shape = source->shape();
    std::vector<std::uint8_t> image(static_cast<std::size_t>(shape.bytes()));
    std::vector<double>& bits = request.png_bits_per_dim[set.info.name];
    bits.resize(static_cast<std::size_t>(source->size()));
    for (std::int64_t i = 0; i < source->size(); ++i) {
      source->read(i, image.data());
      bits[static_cast<std::size_t>(i)] =
          analysis::png_bits_per_dim({image.data(), shape.channels, shape.height, shape.width});
    }
    request.image_dims = static_cast<std::size_t>(shape.bytes());
  }
}

// The plots are matplotlib's (analysis/plots/plot_report.py), run with Debian's python3.
int draw_plots(const std::filesystem::path& out, const std::filesystem::path& run_dir) {
  std::string command = "/usr/bin/python3 '" HIERAD_SOURCE_DIR "/analysis/plots/plot_report.py' --scores '" +
                        (out / "scores.csv").string() + "' --tables '" + out.string() + "' --out '" +
                        out.string() + "'";
  if (std::filesystem::exists(run_dir / "metrics.h5")) {
    command += " --metrics-log '" + (run_dir / "metrics.h5").string() + ":train'";
  }
  return std::system(command.c_str());
}

int run_analyze(const AnalyzeArgs& args) {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank != 0) return kExitOk;  // the analysis is serial and cheap next to scoring
  const config::ExperimentConfig experiment = config::load_experiment(args.experiment);
  const std::filesystem::path run_dir =
      args.run_dir.empty() ? config::default_run_dir(experiment) : std::filesystem::path(args.run_dir);
  const std::filesystem::path scores =
      args.scores.empty() ? run_dir / experiment.score.output : std::filesystem::path(args.scores);
  const std::filesystem::path out =
      args.output.empty() ? run_dir / experiment.analysis.output : std::filesystem::path(args.output);
  const auto& cfg = experiment.analysis;

  std::optional<storage::ScoreFile> general;
  if (!cfg.general_scores.empty()) general = storage::read_score_file(cfg.general_scores);
  // The run's own score file, then [analysis] runs. An analysis-only run (a sweep stage that
  // aggregates other runs' scores) has no score file of its own: [analysis] runs are all there is.
  std::vector<std::filesystem::path> files;
  if (!args.scores.empty() || cfg.runs.empty() || std::filesystem::exists(scores)) files.push_back(scores);
  files.insert(files.end(), cfg.runs.begin(), cfg.runs.end());
  std::vector<analysis::RunScoreFiles> runs;
  for (const std::filesystem::path& file : files) {
    storage::ScoreFile in = storage::read_score_file(file);
    const std::string label = run_label(in);
    runs.push_back({label, std::move(in), general});
  }
  analysis::AnalysisRequest request;
  request.in_set = cfg.in_set;
  request.score_kinds = cfg.scores;
  request.authors_non_finite = cfg.non_finite == "authors";
  if (cfg.input_complexity) add_png_complexity(experiment, runs.front().in, request);
  const analysis::AnalysisOutput result = analysis::analyse(runs, request);

  const auto rows = analysis::aggregate(result.records);
  analysis::write_tables(out, rows);
  {
    std::ostringstream csv;
    analysis::write_scores_csv(csv, result.kind_names, result.blocks);
    storage::write_file_atomically(out / "scores.csv", csv.str());  // a full disk leaves no partial file
  }
  std::printf("AUROC (%%), in-distribution %s, %zu run(s); higher is better:\n\n", cfg.in_set.c_str(), runs.size());
  analysis::write_paper_table_markdown(std::cout, rows);
  std::cout << "\nTables: " << (out / "metrics.md").string() << " (.csv, .json)\n";
  if (cfg.plots && !args.no_plots) {
    if (draw_plots(out, run_dir) != 0) {
      HIERAD_LOG(warn) << "the plots could not be drawn (matplotlib); the tables are complete";
    } else {
      std::cout << "Report: " << (out / "report.md").string() << "\n";
    }
  }
  return kExitOk;
}

}  // namespace

Command add_analyze_command(CLI::App& parent) {
  auto args = std::make_shared<AnalyzeArgs>();
  CLI::App* app = parent.add_subcommand(
      "analyze", "Turn score files into anomaly scores (raw log p, likelihood ratio, final scale,\n"
                 "per-scale and cumulative ratios) and every metric (AUROC, AUPR in/out as average\n"
                 "precision and trapezoid, FPR@95%TPR in both conventions) for the in-distribution test\n"
                 "set against each OOD set, aggregated over the runs of EXP.toml's [analysis] section:\n"
                 "Markdown/CSV/JSON tables, a paper-style table, ROC curves and histograms.");
  app->add_option("experiment", args->experiment, "experiment TOML file")->required()->check(CLI::ExistingFile);
  app->add_option("--run-dir", args->run_dir, "run directory (default: as hierad train chooses it)");
  app->add_option("--scores", args->scores, "the in-distribution model's score file (default: the run's)");
  app->add_option("--output", args->output, "report folder (default: <run dir>/<[analysis] output>)");
  app->add_flag("--no-plots", args->no_plots, "tables only");
  return {app, [args] { return run_analyze(*args); }};
}

}  // namespace hierad::cli
