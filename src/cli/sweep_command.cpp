// `hierad sweep EXP.toml`: every run of an experiment's stages and sweep, each step a child
// process (behind --launcher), resumable by running the same command again.
#include "src/cli/commands.hpp"
#include "src/cli/exit_codes.hpp"
#include "src/config/sweep_plan.hpp"
#include "src/sweep/sweep_runner.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

namespace hierad::cli {
namespace {

struct SweepArgs {
  std::string experiment;
  std::string launcher;
  int retries = 2;
  bool retry_failed = false;
  bool follow = false;
  bool no_report = false;
  bool dry_run = false;
  bool levels = false;
  int level = -1;
  long task = -1;
};

std::vector<std::string> split_words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

// Under mpirun every rank would be a sweep of its own, all racing for the same runs.
void refuse_mpirun() {
  const char* size = std::getenv("OMPI_COMM_WORLD_SIZE");
  if (size != nullptr && std::atoi(size) > 1) {
    throw std::runtime_error("hierad sweep runs as one process: start it without mpirun/srun, and give the "
                             "launcher of its steps with --launcher \"mpirun -np N\" (or use launch/sweep)");
  }
}

int run_sweep_command(const SweepArgs& args) {
  static_assert(sweep::kSweepPreempted == kExitPreempted && sweep::kSweepIncomplete == kExitError);
  refuse_mpirun();
  const config::SweepPlan plan = config::plan_sweep(args.experiment);
  if (args.levels) {
    for (int level = 0; level < plan.levels(); ++level) {
      std::printf("%d %zu\n", level, plan.runs_of_level(level).size());
    }
    return kExitOk;
  }
  sweep::SweepOptions options;
  options.hierad = std::filesystem::read_symlink("/proc/self/exe");
  options.launcher = split_words(args.launcher);
  options.retries = args.retries;
  options.retry_failed = args.retry_failed;
  options.follow = args.follow;
  if (args.level >= 0) options.level = args.level;
  if (args.task >= 0) options.task = static_cast<std::size_t>(args.task);
  if (!args.no_report && !plan.runs.empty()) {
    // The runs' common folder (<output_dir>/<name>), where `hierad report` puts report/index.html.
    std::filesystem::path common = plan.runs.front().dir.parent_path();
    for (const auto& run : plan.runs) {
      while (!common.empty() && std::mismatch(common.begin(), common.end(), run.dir.begin(), run.dir.end()).first != common.end())
        common = common.parent_path();
    }
    options.after_step = {options.hierad.string(), "report", common.string()};
    options.after_step_log = common / "report" / "log.txt";
  }
  std::cout << plan.file.string() << ": " << plan.runs.size() << " runs (" << plan.points << " sweep points, "
            << plan.levels() << " levels)\n";
  if (args.dry_run) {
    std::cout << sweep::describe_sweep(plan, options);
    return kExitOk;
  }
  return sweep::run_sweep(plan, options, std::cout);
}

}  // namespace

Command add_sweep_command(CLI::App& parent) {
  auto args = std::make_shared<SweepArgs>();
  CLI::App* app = parent.add_subcommand(
      "sweep", "Run every run of EXP.toml: each stage ([stages]) at each point of the [sweep], in\n"
               "dependency order, in run directories <output_dir>/<name>/<run id> named by a hash of\n"
               "the resolved config. Running the same command again skips finished runs, resumes\n"
               "partial ones from their newest checkpoint and retries failed ones. Exit code 0: all\n"
               "done; 75: pre-empted by SIGTERM/SIGINT/SIGUSR1 (the running step checkpointed; run\n"
               "the same command again); 1: some runs failed or wait for failed runs.\n"
               "Run the sweep itself without mpirun; --launcher starts each step's ranks.");
  app->add_option("experiment", args->experiment, "experiment TOML file")->required()->check(CLI::ExistingFile);
  app->add_option("--launcher", args->launcher,
                  "command prefix for train and score, e.g. \"mpirun -np 4\" or \"srun\" (default: one process)");
  app->add_option("--retries", args->retries, "failed attempts retried per run, over all calls")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app->add_flag("--retry-failed", args->retry_failed, "forget the failures counted by earlier calls");
  app->add_flag("--follow", args->follow, "show each step's output (also in the run's log.txt) as it runs");
  app->add_flag("--no-report", args->no_report,
                "do not remake <output_dir>/<name>/report/index.html (hierad report) after every step");
  app->add_flag("--dry-run", args->dry_run, "list the runs, their state and what is left to do; run nothing");
  app->add_flag("--levels", args->levels,
                "print '<level> <runs>' per dependency level (for job arrays, launch/slurm) and exit");
  auto* level = app->add_option("--level", args->level, "with --task: run only that run of this level")
                    ->check(CLI::NonNegativeNumber);
  auto* task = app->add_option("--task", args->task, "index of the run in --level (e.g. $SLURM_ARRAY_TASK_ID)")
                   ->check(CLI::NonNegativeNumber);
  level->needs(task);
  task->needs(level);
  return {app, [args] { return run_sweep_command(*args); }, /*uses_mpi=*/false};
}

}  // namespace hierad::cli
