// `hierad train EXP.toml`: train a Glow as the experiment's [train] section says.
#include "src/cli/commands.hpp"
#include "src/cli/exit_codes.hpp"
#include "src/config/config_io.hpp"

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

namespace hierad::cli {
namespace {

struct TrainArgs {
  std::string experiment;
  bool print_config = false;
};

int run_train(const TrainArgs& args) {
  const config::ExperimentConfig experiment =
      args.experiment.empty() ? config::ExperimentConfig{} : config::load_experiment(args.experiment);
  if (args.print_config) {
    std::fputs(config::to_toml(experiment).c_str(), stdout);
    return kExitOk;
  }
  throw std::runtime_error("training is not part of this build yet (the training loop lands with "
                           "the data-parallel training work); use --print-config to check " +
                           args.experiment);
}

}  // namespace

Command add_train_command(CLI::App& parent) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* app = parent.add_subcommand(
      "train", "Train a Glow (general-distribution pretraining or in-distribution fine-tuning, with\n"
               "the optional outlier loss) as EXP.toml's [model], [data] and [train] sections say.\n"
               "Run under mpirun/srun for data-parallel training, one rank per GPU.");
  app->add_option("experiment", args->experiment, "experiment TOML file")->check(CLI::ExistingFile);
  app->add_flag("--print-config", args->print_config,
                "print the resolved configuration (every key, defaults included) and exit");
  // Without --print-config the experiment file is required.
  app->callback([app, args] {
    if (!args->print_config && args->experiment.empty()) {
      throw CLI::RequiredError("experiment (EXP.toml)");
    }
    (void)app;
  });
  return {app, [args] { return run_train(*args); }};
}

}  // namespace hierad::cli
