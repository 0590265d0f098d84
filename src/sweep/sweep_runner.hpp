// `hierad sweep`: the runs of a SweepPlan, each step a child process, with the run directory's
// status.toml deciding what is left to do. Re-running the same command skips finished runs,
// resumes partial ones from their newest checkpoint (hierad train does that by itself) and retries
// failed ones up to `retries` times in all; a step that failed on bad data or configuration (exit 65
// or 78) is not retried.
#pragma once

#include "src/config/sweep_plan.hpp"

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace hierad::sweep {

struct SweepOptions {
  std::filesystem::path hierad;              // the executable the steps run
  std::vector<std::string> launcher;         // prefix of train and score ("mpirun -np 4", "srun"); empty: run directly
  int retries = 2;                           // failed attempts allowed after the first, over all calls
  bool retry_failed = false;                 // forget the failures counted by earlier calls
  bool follow = false;                       // copy each step's output to the terminal as it runs
  std::optional<int> level;                  // with `task`: run only that run of that level (job arrays)
  std::optional<std::size_t> task;
  // Run after every step that ends (done or failed, not pre-empted), output appended to
  // after_step_log: `hierad report` of the sweep's folder, so that its page is at most one step
  // old. Its failure is reported and does not stop the sweep. Empty: nothing.
  std::vector<std::string> after_step;
  std::filesystem::path after_step_log;
};

// Exit codes of run_sweep: those of hierad's CLI (cli/exit_codes.hpp).
inline constexpr int kSweepDone = 0;         // every selected run is done
inline constexpr int kSweepIncomplete = 1;   // some failed, wait for a failed run, or are locked by another process
inline constexpr int kSweepPreempted = 75;   // stopped by a signal after a checkpoint: run the same command again
// Exit codes of a step that running it again would not change (bad input data, bad configuration):
// such a step is not retried, in this call or the next, until --retry-failed.
inline constexpr int kStepDataError = 65;
inline constexpr int kStepConfigError = 78;
inline bool failure_is_final(int exit_code) { return exit_code == kStepDataError || exit_code == kStepConfigError; }

// Runs the selected runs in plan order, printing one line per event to `out`.
int run_sweep(const config::SweepPlan& plan, const SweepOptions& options, std::ostream& out);

// What run_sweep would do, as a table (one row per selected run), without doing it.
std::string describe_sweep(const config::SweepPlan& plan, const SweepOptions& options);

}  // namespace hierad::sweep
