// ATen operator calls per training step, by phase: what a GPU would see as kernel launches (each
// call that does work on a tensor is at least one launch on CUDA). Runs `hierad train`'s own loop
// (train::train) on an experiment file with a RecordFunction callback installed, and attributes
// every operator call to the innermost phase the trainer marks with RECORD_USER_SCOPE:
//
//   hierad::train_step         one optimiser step, everything below included
//   hierad::forward_backward   the micro-batches' forward, loss and backward
//   hierad::grad_sync          gradient averaging (GradSync hooks during backward, finish())
//   hierad::optimizer          gradient norm, clipping, the skip decision, Adamax, zeroing
//
// Each call counts for the innermost phase only (hierad::train_step's own line is what the step
// does outside the other phases: batch upload, stop agreement, bookkeeping), and "step total" sums
// them all. "top" counts the calls the phase's own code makes; "all" adds the calls those make in
// turn (composite operators calling others), which is closer to what runs. Counts are the mean over
// the steps after the first (the first one may allocate state lazily).
//
//   [mpirun -np R] bench_step_ops EXP.toml
//
// Output: "RESULT ops <phase> top <n> all <n>" lines (rank 0), after a table.
#include "src/config/config_io.hpp"
#include "src/distributed/factory.hpp"
#include "src/distributed/mpi_session.hpp"
#include "src/train/trainer.hpp"
#include "src/util/log.hpp"

#include <ATen/record_function.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

struct Counts {
  double top = 0;
  double all = 0;
};

struct Frame {
  std::string phase;
  int base_depth = 0;
};

std::mutex g_mutex;
std::map<std::string, Counts> g_counts;  // phase -> counts over the measured steps
std::atomic<bool> g_measuring{false};
std::atomic<long> g_steps{0};            // train_step scopes seen

thread_local std::vector<Frame> t_frames;
thread_local int t_depth = 0;

bool is_op(at::RecordScope scope) {
  return scope == at::RecordScope::FUNCTION || scope == at::RecordScope::BACKWARD_FUNCTION;
}

std::unique_ptr<at::ObserverContext> on_start(const at::RecordFunction& fn) {
  if (fn.scope() == at::RecordScope::USER_SCOPE) {
    const std::string name = fn.name();
    if (name == "hierad::train_step") {
      // The first step is not measured: lazily allocated state would inflate it.
      g_measuring = g_steps.fetch_add(1) >= 1;
    }
    t_frames.push_back({name, t_depth});
    return nullptr;
  }
  if (!is_op(fn.scope())) return nullptr;
  ++t_depth;
  if (!g_measuring || t_frames.empty()) return nullptr;
  // Attributed to the innermost phase only ("self"), and to the step's total.
  const Frame& inner = t_frames.back();
  const bool top = t_depth == inner.base_depth + 1;
  std::lock_guard<std::mutex> lock(g_mutex);
  Counts& self = g_counts[inner.phase];
  self.all += 1;
  if (top) self.top += 1;
  if (t_frames.front().phase == "hierad::train_step") {
    Counts& total = g_counts["step total"];
    total.all += 1;
    if (top) total.top += 1;
  }
  return nullptr;
}

void on_end(const at::RecordFunction& fn, at::ObserverContext*) {
  if (fn.scope() == at::RecordScope::USER_SCOPE) {
    if (!t_frames.empty()) t_frames.pop_back();
    return;
  }
  if (is_op(fn.scope())) --t_depth;
}

[[noreturn]] void usage(const char* error) {
  std::fprintf(stderr, "bench_step_ops: %s\nusage: [mpirun -np R] bench_step_ops EXP.toml\n",
               error);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace hierad;
  if (argc < 2) usage("missing experiment file");
  if (argc > 2) usage("too many arguments");
  const std::string experiment_path = argv[1];
  distributed::MpiSession mpi(&argc, &argv);
  log::Options log_options;
  log_options.rank = mpi.world_rank();
  log_options.world_size = mpi.world_size();
  log_options.level = "warn";
  log::init(log_options);

  const config::ExperimentConfig experiment = config::load_experiment(experiment_path);
  const at::Device device(experiment.model.device == "auto" ? "cpu" : experiment.model.device);
  auto comm = distributed::make_communicator(distributed::Backend::kAuto, device);
  // The run directory is shared by the ranks (rank 0 writes); a fresh one per bench run.
  std::vector<std::int64_t> pids = comm->allgather(static_cast<std::int64_t>(::getpid()));
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("bench_step_ops_" + std::to_string(pids[0]));

  at::addGlobalCallback(at::RecordFunctionCallback(on_start, on_end)
                            .scopes({at::RecordScope::FUNCTION, at::RecordScope::BACKWARD_FUNCTION,
                                     at::RecordScope::USER_SCOPE}));
  train::train(experiment, dir, *comm, device);
  at::clearCallbacks();
  if (comm->rank() == 0) std::filesystem::remove_all(dir);

  const long measured = g_steps.load() - 1;
  if (measured < 1) usage("train.steps must be at least 2 (the first step is not measured)");
  if (comm->rank() == 0) {
    std::printf("ATen operator calls per training step (rank 0 of %d, mean of %ld steps after the first)\n",
                comm->size(), measured);
    std::printf("%-26s %12s %12s\n", "phase", "top", "all");
    for (const auto& [phase, counts] : g_counts) {
      std::printf("%-26s %12.1f %12.1f\n", phase.c_str(), counts.top / measured, counts.all / measured);
    }
    for (const auto& [phase, counts] : g_counts) {
      std::printf("RESULT ops %s top %.1f all %.1f\n", phase.c_str(), counts.top / measured,
                  counts.all / measured);
    }
  }
  return 0;
}
