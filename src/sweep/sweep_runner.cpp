#include "src/sweep/sweep_runner.hpp"

#include "src/config/config_io.hpp"
#include "src/config/strings.hpp"
#include "src/sweep/child_process.hpp"
#include "src/sweep/run_lock.hpp"
#include "src/sweep/run_status.hpp"
#include "src/sweep/text_table.hpp"

#include <chrono>
#include <ctime>
#include <deque>
#include <fstream>
#include <ostream>
#include <stdexcept>

namespace hierad::sweep {
namespace {

using config::PlannedRun;
using config::Step;

bool step_done(const RunStatus& status, const PlannedRun& run, Step step) {
  const auto it = status.steps.find(config::step_name(step));
  return it != status.steps.end() && it->second == run.fingerprints.at(step);
}

bool run_done(const RunStatus& status, const PlannedRun& run) {
  for (Step step : run.steps) {
    if (!step_done(status, run, step)) return false;
  }
  return true;
}

std::vector<std::size_t> selected_runs(const config::SweepPlan& plan, const SweepOptions& options) {
  if (!options.level && !options.task) {
    std::vector<std::size_t> all(plan.runs.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    return all;
  }
  if (!options.level || !options.task) throw std::runtime_error("--level and --task go together");
  const auto level = plan.runs_of_level(*options.level);
  if (*options.task >= level.size()) {
    throw std::runtime_error(plan.file.string() + ": level " + std::to_string(*options.level) + " has " +
                             std::to_string(level.size()) + " runs; --task " + std::to_string(*options.task) +
                             " is out of range (see hierad sweep --levels)");
  }
  return {level[*options.task]};
}

std::string run_name(const PlannedRun& run) { return run.stage + " " + run.id; }

std::vector<std::string> step_command(const PlannedRun& run, Step step, const SweepOptions& options) {
  std::vector<std::string> argv;
  if (step != Step::analyze) argv = options.launcher;  // analysis is one process
  const std::string config = (run.dir / "config.toml").string();
  for (const std::string& arg :
       {options.hierad.string(), std::string(config::step_name(step)), config, std::string("--run-dir"), run.dir.string()}) {
    argv.push_back(arg);
  }
  return argv;
}

std::string log_tail(const std::filesystem::path& log, std::size_t lines) {
  std::ifstream in(log);
  std::deque<std::string> last;
  for (std::string line; std::getline(in, line);) {
    last.push_back(line);
    if (last.size() > lines) last.pop_front();
  }
  std::string out;
  for (const auto& line : last) out += "    | " + line + "\n";
  return out;
}

std::string now_text() {
  const std::time_t now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", std::localtime(&now));
  return text;
}

enum class Outcome { done, failed, preempted };

void run_after_step(const SweepOptions& options, std::ostream& out) {
  if (options.after_step.empty()) return;
  std::filesystem::create_directories(options.after_step_log.parent_path());
  int code = 0;
  try {
    code = run_child(options.after_step, options.after_step_log);
  } catch (const std::exception& error) {
    out << "  report not remade: " << error.what() << "\n";
    return;
  }
  if (code != 0) out << "  report not remade (exit " << code << "; " << options.after_step_log.string() << ")\n";
}

// Runs the steps of `run` that are not done with the current config, in order.
Outcome run_steps(const PlannedRun& run, RunStatus& status, const SweepOptions& options, std::ostream& out) {
  const std::filesystem::path log = run.dir / "log.txt";
  bool rerun_rest = false;  // a step that runs again invalidates the steps after it
  for (Step step : run.steps) {
    if (!rerun_rest && step_done(status, run, step)) continue;
    rerun_rest = true;
    if (stop_requested()) return Outcome::preempted;
    status.steps.erase(config::step_name(step));
    const std::vector<std::string> argv = step_command(run, step, options);
    {
      std::ofstream header(log, std::ios::app);
      header << "\n== hierad sweep " << now_text() << ": " << config::step_name(step) << "\n$ " << config::join(argv, " ") << "\n";
    }
    out << "  " << config::step_name(step) << " ..." << (options.follow ? "\n" : "") << std::flush;
    const auto start = std::chrono::steady_clock::now();
    const int code = run_child(argv, log, options.follow ? stdout : nullptr);
    if (options.follow) out << "  " << config::step_name(step);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    status.last_exit = code;
    if (code == 0) {
      status.steps[config::step_name(step)] = run.fingerprints.at(step);
      write_status(run.dir, status);
      out << " done (" << static_cast<long long>(seconds) << " s)\n";
      if (step != run.steps.back()) run_after_step(options, out);  // the last one: once the run's state is written
      continue;
    }
    if (code == kSweepPreempted || stop_requested()) {
      out << " pre-empted (exit " << code << ")\n";
      return Outcome::preempted;
    }
    status.last_error = std::string(config::step_name(step)) + " exited with " + std::to_string(code);
    out << " failed: " << status.last_error << "; the end of " << log.string() << ":\n"
        << (options.follow ? std::string("    (above)\n") : log_tail(log, 12));
    return Outcome::failed;
  }
  return Outcome::done;
}

void write_resolved_config(const PlannedRun& run) {
  std::filesystem::create_directories(run.dir);
  const std::filesystem::path path = run.dir / "config.toml";
  std::ofstream(path, std::ios::trunc) << config::to_toml(run.config);
}

}  // namespace

int run_sweep(const config::SweepPlan& plan, const SweepOptions& options, std::ostream& out) {
  const std::vector<std::size_t> selected = selected_runs(plan, options);
  install_stop_handlers();
  std::vector<RunStatus> statuses;
  std::vector<bool> done;
  for (const PlannedRun& run : plan.runs) {
    statuses.push_back(read_status(run.dir));
    done.push_back(run_done(statuses.back(), run));
  }
  // Every selected run gets its directory now, so that `hierad status` lists the pending ones too.
  for (std::size_t i : selected) {
    const PlannedRun& run = plan.runs[i];
    if (std::filesystem::exists(run.dir / "status.toml")) continue;
    write_resolved_config(run);
    RunStatus pending;
    pending.experiment = plan.experiment;
    pending.stage = run.stage;
    pending.label = run.label;
    write_status(run.dir, pending);
  }

  std::size_t finished = 0, skipped = 0, unfinished = 0;
  for (std::size_t n = 0; n < selected.size(); ++n) {
    const PlannedRun& run = plan.runs[selected[n]];
    out << "[" << n + 1 << "/" << selected.size() << "] " << run_name(run)
        << (run.label.empty() ? "" : " (" + run.label + ")") << ": ";
    if (done[selected[n]]) {
      out << "done, skipped\n";
      ++skipped;
      continue;
    }
    if (stop_requested()) {
      out << "not started (stopping)\n";
      return kSweepPreempted;
    }
    std::vector<std::string> waiting;
    for (std::size_t need : run.needs) {
      if (!done[need]) waiting.push_back(run_name(plan.runs[need]));
    }
    if (!waiting.empty()) {
      out << "waits for " << config::join(waiting, ", ") << ", not done\n";
      ++unfinished;
      continue;
    }
    RunStatus status = statuses[selected[n]];
    if (options.retry_failed) status.failures = 0;
    if (status.failures > 0 && failure_is_final(status.last_exit)) {
      out << "failed on bad input or configuration (" << status.last_error << "); not retried (fix it, then "
          << "--retry-failed); log: " << (run.dir / "log.txt").string() << "\n";
      ++unfinished;
      continue;
    }
    if (status.failures > options.retries) {
      out << "failed " << status.failures << " times (" << status.last_error << "); not retried (--retries "
          << options.retries << "; --retry-failed starts the count afresh); log: " << (run.dir / "log.txt").string() << "\n";
      ++unfinished;
      continue;
    }
    RunLock lock(run.dir);
    if (!lock.held()) {
      out << "locked by another process (a sweep or its orphaned step), skipped\n";
      ++unfinished;
      continue;
    }
    out << run.dir.string() << "\n";
    write_resolved_config(run);
    status.experiment = plan.experiment;
    status.stage = run.stage;
    status.label = run.label;
    while (true) {
      status.state = RunState::running;
      write_status(run.dir, status);
      const Outcome outcome = run_steps(run, status, options, out);
      if (outcome == Outcome::done) {
        status.state = RunState::done;
        status.last_error.clear();
        write_status(run.dir, status);
        run_after_step(options, out);
        done[selected[n]] = true;
        ++finished;
        break;
      }
      if (outcome == Outcome::preempted) {
        status.state = RunState::preempted;
        write_status(run.dir, status);
        out << "pre-empted: the newest checkpoint is kept; run the same command again to resume\n";
        return kSweepPreempted;
      }
      ++status.failures;
      status.state = RunState::failed;
      write_status(run.dir, status);
      run_after_step(options, out);
      if (failure_is_final(status.last_exit)) {
        out << "  not retried: bad input or configuration (exit " << status.last_exit
            << "); running it again would fail the same way\n";
        ++unfinished;
        break;
      }
      if (status.failures > options.retries) {
        ++unfinished;
        break;
      }
      out << "  retrying (attempt " << status.failures + 1 << " of " << options.retries + 1 << ")\n";
    }
  }
  out << selected.size() << " runs: " << finished << " finished now, " << skipped << " already done, " << unfinished
      << " not done\n";
  return unfinished == 0 ? kSweepDone : kSweepIncomplete;
}

std::string describe_sweep(const config::SweepPlan& plan, const SweepOptions& options) {
  std::vector<std::vector<std::string>> rows = {{"#", "level", "stage", "run", "state", "to do", "needs", "sweep values"}};
  for (std::size_t i : selected_runs(plan, options)) {
    const PlannedRun& run = plan.runs[i];
    const RunStatus status = read_status(run.dir);
    const bool done = run_done(status, run);
    std::string state = done ? "done" : state_name(status.state);
    if (!done && status.failures > 0) state += " (" + std::to_string(status.failures) + " failures)";
    std::vector<std::string> todo;
    for (Step step : run.steps) {
      if (done || step_done(status, run, step)) continue;
      std::string what = config::step_name(step);
      if (step == Step::train) {
        if (const auto progress = read_progress(run.dir)) {
          what += " (logged step " + std::to_string(progress->step) + "/" + std::to_string(progress->steps) + ")";
        }
      }
      todo.push_back(what);
    }
    std::vector<std::string> needs;
    for (std::size_t need : run.needs) needs.push_back(plan.runs[need].id);
    rows.push_back({std::to_string(i), std::to_string(run.level), run.stage, run.dir.string(), state,
                    todo.empty() ? "-" : config::join(todo, ", "), needs.empty() ? "-" : config::join(needs, ","),
                    run.label.empty() ? "-" : run.label});
  }
  return aligned_table(rows);
}

}  // namespace hierad::sweep
