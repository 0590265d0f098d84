// hierad: distributed Glow experiments for likelihood-based anomaly detection.
//
// main() parses the command line, starts MPI (every subcommand but sweep/status may run under mpirun), sets up
// rank-aware logging, runs the chosen subcommand and catches every exception once, printing it with
// the rank so that a failure on rank 5 of 64 says where it happened.
#include "src/cli/commands.hpp"
#include "src/cli/exit_codes.hpp"
#include "src/config/config_error.hpp"
#include "src/data/data_error.hpp"
#include "src/distributed/mpi_session.hpp"
#include "src/util/log.hpp"

#include <CLI/CLI.hpp>
#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <vector>

namespace {

// The exit code of a failed subcommand: bad data and bad configuration have their own, so that a
// sweep does not retry what would fail again (exit_codes.hpp).
int exit_code_of(const std::exception& error) {
  if (dynamic_cast<const hierad::data::DataError*>(&error) != nullptr) return hierad::cli::kExitDataError;
  if (dynamic_cast<const hierad::config::ConfigError*>(&error) != nullptr) return hierad::cli::kExitConfigError;
  return hierad::cli::kExitError;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace hierad;
  CLI::App app{"hierad: distributed Glow normalizing flows for likelihood-based anomaly detection.\n"
               "Each subcommand takes an experiment TOML file (see experiments/README.md)."};
  app.require_subcommand(1);
  log::Options log_options;
  app.add_option("--log-level", log_options.level, "trace, debug, info, warn, error or off")
      ->capture_default_str();
  app.add_flag("--log-all-ranks", log_options.all_ranks,
               "print info lines from every MPI rank (default: rank 0 only)");

  const std::vector<cli::Command> commands = {
      cli::add_train_command(app),   cli::add_score_command(app), cli::add_analyze_command(app),
      cli::add_sweep_command(app),   cli::add_status_command(app), cli::add_convert_command(app),
      cli::add_sample_command(app),  cli::add_report_command(app), cli::add_info_command(app),
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);  // prints the help text, or the usage error
    return code == 0 ? cli::kExitOk : cli::kExitUsage;
  }

  const cli::Command* chosen = nullptr;
  for (const auto& command : commands) {
    if (command.app->parsed()) chosen = &command;
  }
  if (chosen == nullptr) return cli::kExitUsage;

  std::optional<distributed::MpiSession> mpi;
  try {
    if (chosen->uses_mpi) {
      mpi.emplace(&argc, &argv);
      log_options.rank = mpi->world_rank();
      log_options.world_size = mpi->world_size();
    }
    log::init(log_options);
    return chosen->run();
  } catch (const std::exception& error) {
    if (mpi) std::fprintf(stderr, "[rank %d] ", mpi->world_rank());
    std::fprintf(stderr, "error: %s\n", error.what());
    std::fflush(stderr);
    // The other ranks may be blocked in a collective waiting for this one: end the whole job
    // instead of leaving it hanging.
    const int code = exit_code_of(error);
    if (mpi && mpi->world_size() > 1) MPI_Abort(MPI_COMM_WORLD, code);
    // Ends without the exit handlers: after a failed write (a full disk) HDF5 cannot close the file
    // it was writing, and its own exit handler then crashed (SIGSEGV in H5D_close) closing that
    // file's leftover objects, turning a reported error into a crash (tests/train/full_disk.sh).
    // Every file hierad keeps was closed and checked before; the process's end releases the rest.
    std::fflush(nullptr);
    mpi.reset();
    std::_Exit(code);
  }
}
