// `hierad status DIR`: a table of the runs under DIR and where each stands.
#include "src/cli/commands.hpp"
#include "src/cli/exit_codes.hpp"
#include "src/sweep/status_table.hpp"

#include <iostream>
#include <memory>
#include <string>

namespace hierad::cli {

Command add_status_command(CLI::App& parent) {
  auto directory = std::make_shared<std::string>();
  CLI::App* app = parent.add_subcommand(
      "status", "Print a table of the runs under DIR (a run directory, runs/<experiment> or runs/):\n"
                "state, step of total, latest bits/dim, images/s, ETA, failures, sweep values.");
  app->add_option("directory", *directory, "run directory, or a folder of them")->required()->check(CLI::ExistingDirectory);
  return {app,
          [directory] {
            std::cout << sweep::status_table(*directory);
            return kExitOk;
          },
          /*uses_mpi=*/false};
}

}  // namespace hierad::cli
