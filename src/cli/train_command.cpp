// `hierad train EXP.toml`: train a Glow as the experiment's [train] section says, on every rank.
#include "src/cli/commands.hpp"
#include "src/cli/exit_codes.hpp"
#include "src/cli/preflight.hpp"
#include "src/cli/run_setup.hpp"
#include "src/config/config_io.hpp"
#include "src/train/trainer.hpp"
#include "src/util/log.hpp"

#include <cstdio>
#include <memory>
#include <string>

namespace hierad::cli {
namespace {

struct TrainArgs {
  std::string experiment;
  std::string run_dir;
  bool print_config = false;
  bool resume = false;
  bool accept_older_checkpoint = false;
};

int run_train(const TrainArgs& args) {
  config::ExperimentConfig experiment =
      args.experiment.empty() ? config::ExperimentConfig{} : config::load_experiment(args.experiment);
  if (args.accept_older_checkpoint) experiment.train.accept_older_checkpoint = true;
  if (args.print_config) {
    std::fputs(config::to_toml(experiment).c_str(), stdout);
    return kExitOk;
  }
  RunSetup setup = make_run_setup(experiment, args.run_dir);
  // Rank 0 alone opens the sets (one rank's reads on a shared file system); an error there ends
  // the whole job (main.cpp). The sets scored after training are checked now too.
  if (setup.comm->rank() == 0) {
    check_sources_fit_model(experiment, merged(sources_trained_on(experiment), sources_scored(experiment)));
  }
  const train::TrainOutcome outcome = train::train(experiment, setup.run_dir, *setup.comm, setup.device, args.resume);
  if (outcome.preempted) {
    HIERAD_LOG(warn) << "pre-empted at step " << outcome.step << "; resume with the same command";
    return kExitPreempted;
  }
  HIERAD_LOG(info) << "done: " << outcome.step << " steps, " << outcome.skipped_steps
                   << " skipped, last " << outcome.last_bpd << " bits/dim; run directory "
                   << setup.run_dir.string();
  return kExitOk;
}

}  // namespace

Command add_train_command(CLI::App& parent) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* app = parent.add_subcommand(
      "train", "Train a Glow (general-distribution pretraining or in-distribution fine-tuning, with\n"
               "the optional outlier loss) as EXP.toml's [model], [data] and [train] sections say.\n"
               "Run under mpirun/srun for data-parallel training, one rank per GPU. Resumes by itself\n"
               "when the run directory holds a valid checkpoint. Exit code 75: pre-empted by\n"
               "SIGTERM/SIGUSR1 after writing a checkpoint (requeue and run the same command).");
  app->add_option("experiment", args->experiment, "experiment TOML file")->check(CLI::ExistingFile);
  app->add_option("--run-dir", args->run_dir,
                  "run directory (default: <output_dir>/<name>/<run id>, the id a hash of the "
                  "resolved config)");
  app->add_flag("--resume", args->resume,
                "require a valid checkpoint in the run directory and continue from it (without the flag "
                "a run resumes when it has one and starts afresh when it has none)");
  app->add_flag("--accept-older-checkpoint", args->accept_older_checkpoint,
                "train.init_from / train.outlier.general_checkpoint naming a run that has not finished or "
                "whose final checkpoint is corrupt: use its newest valid checkpoint (with a warning); as "
                "train.accept_older_checkpoint");
  app->add_flag("--print-config", args->print_config,
                "print the resolved configuration (every key, defaults included) and exit");
  app->callback([args] {
    if (!args->print_config && args->experiment.empty()) throw CLI::RequiredError("experiment (EXP.toml)");
  });
  return {app, [args] { return run_train(*args); }};
}

}  // namespace hierad::cli
