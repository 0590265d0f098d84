// The files `hierad sweep` keeps in a run directory to know, on every call, where each run stands:
// status.toml (state, steps done with the fingerprint of the config they ran with, failures) and
// the trainer's progress.toml (step, bits/dim, images/s, ETA).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace hierad::sweep {

// pending: never started; running: a sweep is running it (or died while it was, see RunLock);
// preempted: stopped by a signal after a checkpoint; failed: a step exited with an error;
// done: every step finished with the current config.
enum class RunState { pending, running, preempted, failed, done };
const char* state_name(RunState state);

struct RunStatus {
  std::string experiment;
  std::string stage;
  std::string label;                           // the sweep values of the run
  RunState state = RunState::pending;
  int failures = 0;                            // failed attempts so far (pre-emption is not a failure)
  int last_exit = 0;                           // exit code of the last step that ran
  std::string last_error;                      // what failed, for `hierad status`
  std::map<std::string, std::string> steps;    // step name -> fingerprint it finished with
  double updated = 0;                          // Unix time of the last write
};

// status.toml of `run_dir`; a fresh RunStatus when there is none.
RunStatus read_status(const std::filesystem::path& run_dir);
void write_status(const std::filesystem::path& run_dir, RunStatus status);

struct RunProgress {
  std::int64_t step = 0, steps = 0, skipped_steps = 0;
  double bpd = 0, images_per_s = 0, eta_s = 0, updated = 0;
};

// progress.toml of `run_dir`, if training has logged a step.
std::optional<RunProgress> read_progress(const std::filesystem::path& run_dir);

}  // namespace hierad::sweep
