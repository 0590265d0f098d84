// The subcommands of `hierad`: each file adds one to the CLI11 app and runs it.
//
// A subcommand's setup function registers its options and stores a callback that returns the
// process exit code (see exit_codes.hpp). main.cpp owns MPI, logging and the one top-level catch.
#pragma once

#include <CLI/App.hpp>

#include <functional>

namespace hierad::cli {

// What main needs to know about a registered subcommand: whether it was chosen, and what to run.
// `run` is called after parsing, with logging (and MPI, if `uses_mpi`) set up; it returns the exit
// code. Commands that start other hierad processes (sweep) must not initialise MPI themselves: a
// singleton MPI process leaves OMPI_* variables behind that confuse the mpirun it starts.
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
  bool uses_mpi = true;
};

Command add_info_command(CLI::App& parent);
Command add_train_command(CLI::App& parent);
Command add_score_command(CLI::App& parent);
Command add_analyze_command(CLI::App& parent);
Command add_sweep_command(CLI::App& parent);
Command add_status_command(CLI::App& parent);
Command add_convert_command(CLI::App& parent);
Command add_sample_command(CLI::App& parent);
Command add_report_command(CLI::App& parent);

}  // namespace hierad::cli
