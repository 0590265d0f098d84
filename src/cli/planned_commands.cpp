// Subcommands whose options and help are fixed but whose work lands with later layers (scoring,
// analysis, sweeps, run status). Each says so plainly when run, instead of pretending.
#include "src/cli/commands.hpp"
#include "src/cli/exit_codes.hpp"

#include <memory>
#include <stdexcept>
#include <string>

namespace hierad::cli {
namespace {

Command planned(CLI::App& parent, const char* name, const char* description, const char* positional,
                const char* positional_help) {
  auto target = std::make_shared<std::string>();
  CLI::App* app = parent.add_subcommand(name, description);
  app->add_option(positional, *target, positional_help)->required();
  return {app, [name, target]() -> int {
            throw std::runtime_error(std::string("'hierad ") + name + "' is not part of this build yet");
          }};
}

}  // namespace

Command add_sweep_command(CLI::App& parent) {
  return planned(parent, "sweep",
                 "Expand EXP.toml's [sweep] section into runs and run them (skipping finished runs,\n"
                 "resuming partial ones).",
                 "experiment", "experiment TOML file");
}

Command add_status_command(CLI::App& parent) {
  return planned(parent, "status", "Print a table of the runs under a run directory: state, step,\n"
                                   "bits/dim, images/s, ETA, failures.",
                 "directory", "a run directory (runs/<experiment>)");
}

}  // namespace hierad::cli
