// `hierad score EXP.toml`: per-example, per-scale likelihood terms of every set into one HDF5 file.
#include "src/cli/commands.hpp"
#include "src/cli/exit_codes.hpp"
#include "src/cli/preflight.hpp"
#include "src/cli/run_setup.hpp"
#include "src/config/config_io.hpp"
#include "src/distributed/stop_signal.hpp"
#include "src/score/scorer.hpp"
#include "src/model_io/checkpoint_lookup.hpp"
#include "src/util/log.hpp"

#include <memory>
#include <string>

namespace hierad::cli {
namespace {

struct ScoreArgs {
  std::string experiment;
  std::string run_dir;
  std::string checkpoint;
  std::string output;
  bool accept_older_checkpoint = false;
};

int run_score(const ScoreArgs& args) {
  distributed::install_stop_handlers();  // Note [Pre-emptible scoring]
  const config::ExperimentConfig experiment = config::load_experiment(args.experiment);
  RunSetup setup = make_run_setup(experiment, args.run_dir);
  if (setup.comm->rank() == 0) check_sources_fit_model(experiment, sources_scored(experiment));  // as hierad train
  // Which model: --checkpoint, else [score] checkpoint, else the final checkpoint of this run.
  std::string model = args.checkpoint.empty() ? experiment.score.checkpoint : args.checkpoint;
  if (model.empty()) model = setup.run_dir.string();
  const model_io::ModelLookup lookup{"score", "score.accept_older_checkpoint (or --accept-older-checkpoint)",
                                     args.accept_older_checkpoint || experiment.score.accept_older_checkpoint};
  const storage::Checkpoint checkpoint = model_io::read_final_checkpoint(model, lookup);
  const std::filesystem::path output =
      args.output.empty() ? setup.run_dir / experiment.score.output : std::filesystem::path(args.output);
  HIERAD_LOG(info) << "scoring " << checkpoint.path.string() << " into " << output.string();
  const score::ScoreOutcome outcome =
      score::score_sets(experiment, checkpoint, score::sets_to_score(experiment), output, *setup.comm, setup.device);
  if (outcome.preempted) {
    HIERAD_LOG(warn) << "pre-empted after " << outcome.summaries.size()
                     << " finished sets; run the same command to score the rest";
    return kExitPreempted;
  }
  return kExitOk;
}

}  // namespace

Command add_score_command(CLI::App& parent) {
  auto args = std::make_shared<ScoreArgs>();
  CLI::App* app = parent.add_subcommand(
      "score", "Score a trained Glow: write per-example, per-scale likelihood terms (F_k, A_k, G_k,\n"
               "lp_k, log p, bits/dim) of every set in EXP.toml's [score] section (default: the\n"
               "in-distribution test set, every OOD set and the general distribution) into one HDF5\n"
               "file (layout: storage/README.md). Run under mpirun to score in parallel. Exit code 75:\n"
               "pre-empted by SIGTERM/SIGUSR1 after a batch; the finished sets are kept in\n"
               "<output>.partial and the same command scores only the rest.");
  app->add_option("experiment", args->experiment, "experiment TOML file")->required()->check(CLI::ExistingFile);
  app->add_option("--run-dir", args->run_dir, "run directory (default: as hierad train chooses it)");
  app->add_option("--checkpoint", args->checkpoint,
                  "checkpoint file or run directory to score (default: [score] checkpoint, else this "
                  "run); a run directory means the final checkpoint of its finished training");
  app->add_flag("--accept-older-checkpoint", args->accept_older_checkpoint,
                "when the run has not finished or its final checkpoint is corrupt, score its newest valid "
                "checkpoint (with a warning) instead of failing; as score.accept_older_checkpoint");
  app->add_option("--output", args->output, "score file (default: <run dir>/<[score] output>)");
  return {app, [args] { return run_score(*args); }};
}

}  // namespace hierad::cli
