#include "src/sweep/run_status.hpp"

#include "storage/key_value_file.hpp"

#include <ctime>
#include <stdexcept>

namespace hierad::sweep {
namespace {

constexpr const char* kStepPrefix = "step_";  // flat keys: step_train = "<fingerprint>"

RunState state_from_name(const std::string& name, const std::filesystem::path& file) {
  for (RunState state : {RunState::pending, RunState::running, RunState::preempted, RunState::failed, RunState::done}) {
    if (name == state_name(state)) return state;
  }
  throw std::runtime_error(file.string() + ": unknown state \"" + name + "\"");
}

}  // namespace

const char* state_name(RunState state) {
  switch (state) {
    case RunState::pending: return "pending";
    case RunState::running: return "running";
    case RunState::preempted: return "preempted";
    case RunState::failed: return "failed";
    case RunState::done: return "done";
  }
  return "?";
}

RunStatus read_status(const std::filesystem::path& run_dir) {
  const std::filesystem::path file = run_dir / "status.toml";
  RunStatus status;
  const auto values = storage::read_key_values_if_present(file);
  if (!values) return status;
  status.experiment = values->text("experiment").value_or("");
  status.stage = values->text("stage").value_or("");
  status.label = values->text("label").value_or("");
  status.state = state_from_name(values->text("state").value_or("pending"), file);
  status.failures = static_cast<int>(values->number("failures").value_or(0));
  status.last_exit = static_cast<int>(values->number("last_exit").value_or(0));
  status.last_error = values->text("last_error").value_or("");
  status.updated = values->number("updated").value_or(0);
  for (const auto& [key, text] : values->strings()) {
    if (key.rfind(kStepPrefix, 0) == 0) status.steps[key.substr(std::char_traits<char>::length(kStepPrefix))] = text;
  }
  return status;
}

void write_status(const std::filesystem::path& run_dir, RunStatus status) {
  storage::KeyValues values;
  values.set("experiment", status.experiment);
  values.set("stage", status.stage);
  values.set("label", status.label);
  values.set("state", state_name(status.state));
  values.set("failures", status.failures);
  values.set("last_exit", status.last_exit);
  values.set("last_error", status.last_error);
  values.set("updated", static_cast<double>(std::time(nullptr)));
  for (const auto& [step, fingerprint] : status.steps) values.set(kStepPrefix + step, fingerprint);
  std::filesystem::create_directories(run_dir);
  storage::write_key_values(run_dir / "status.toml", values, "run status, written by hierad sweep");
}

std::optional<RunProgress> read_progress(const std::filesystem::path& run_dir) {
  const auto values = storage::read_key_values_if_present(run_dir / "progress.toml");
  if (!values) return std::nullopt;
  RunProgress progress;
  progress.step = static_cast<std::int64_t>(values->number("step").value_or(0));
  progress.steps = static_cast<std::int64_t>(values->number("steps").value_or(0));
  progress.skipped_steps = static_cast<std::int64_t>(values->number("skipped_steps").value_or(0));
  progress.bpd = values->number("bpd").value_or(0);
  progress.images_per_s = values->number("images_per_s").value_or(0);
  progress.eta_s = values->number("eta_s").value_or(0);
  progress.updated = values->number("updated").value_or(0);
  return progress;
}

}  // namespace hierad::sweep
