#include "src/train/training_state.hpp"

#include "src/model_io/model_state.hpp"
#include "src/model_io/tensor_arrays.hpp"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <mutex>
#include <stdexcept>

namespace hierad::train {
namespace {

constexpr const char* kOptimizerPrefix = "optimizer/";

at::Tensor position_row(const data::LoaderPosition& p) {
  return at::tensor({static_cast<std::int64_t>(p.seed), p.size, p.epoch, p.offset}, at::kLong);
}

data::LoaderPosition position_from_row(const at::Tensor& row) {
  const auto* v = row.data_ptr<std::int64_t>();
  data::LoaderPosition p;
  p.seed = static_cast<std::uint64_t>(v[0]);
  p.size = v[1];
  p.epoch = v[2];
  p.offset = v[3];
  return p;
}

// Every rank's `row` stacked in rank order: a sum-allreduce of a [world, n] tensor in which each
// rank filled only its own row (the Communicator has no tensor allgather, and these are small).
at::Tensor gather_rows(const at::Tensor& row, distributed::Communicator& comm, const at::Device& device) {
  at::Tensor all = at::zeros({comm.size(), row.numel()}, row.options().device(device));
  all[comm.rank()].copy_(row.reshape({-1}));
  comm.allreduce(all, distributed::ReduceOp::kSum)->synchronize();
  return all.cpu();
}

at::Tensor cpu_rng_state() {
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  return generator.get_state();
}

void set_cpu_rng_state(const at::Tensor& state) {
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(state);
}

[[noreturn]] void fail(const storage::Checkpoint& checkpoint, const std::string& problem) {
  throw std::runtime_error(checkpoint.path.string() + ": " + problem);
}

}  // namespace

std::filesystem::path save_training_state(storage::CheckpointDir& dir, model::GlowImpl& model,
                                          const Adamax& optimizer, const Counters& counters,
                                          const SavedPositions& positions, distributed::Communicator& comm,
                                          const storage::Metadata& run_metadata) {
  const at::Device device = model.parameters().front().device();
  const at::Tensor loader_rows = gather_rows(position_row(positions.main), comm, device);
  const at::Tensor outlier_rows =
      positions.outlier ? gather_rows(position_row(*positions.outlier), comm, device) : at::Tensor();
  const at::Tensor rng_rows = gather_rows(cpu_rng_state(), comm, device);
  if (comm.rank() != 0) return {};

  model_io::ArrayBundle arrays;
  model_io::add_model_arrays(arrays, model);
  for (const auto& [name, tensor] : optimizer.state()) arrays.add(kOptimizerPrefix + name, tensor);
  arrays.add("loader/position", loader_rows);
  if (outlier_rows.defined()) arrays.add("loader/outlier_position", outlier_rows);
  arrays.add("rng/cpu", rng_rows);

  storage::Metadata metadata = run_metadata;
  metadata["step"] = counters.step;
  metadata["epoch"] = positions.main.epoch;
  metadata["images_seen"] = counters.images_seen;
  metadata["skipped_steps"] = counters.skipped_steps;
  metadata["world_size"] = static_cast<std::int64_t>(comm.size());
  dir.write(counters.step, arrays.views(), metadata);
  return dir.path_for(counters.step);
}

SavedPositions load_training_state(const storage::Checkpoint& checkpoint, model::GlowImpl& model,
                                   Adamax& optimizer, Counters& counters, int rank, int world) {
  model_io::load_model_state(checkpoint, model);

  std::map<std::string, at::Tensor> optimizer_state;
  for (const storage::Array& array : checkpoint.arrays) {
    if (array.name.rfind(kOptimizerPrefix, 0) == 0) {
      optimizer_state[array.name.substr(std::string(kOptimizerPrefix).size())] =
          model_io::to_tensor(array).to(model.parameters().front().device());
    }
  }
  try {
    optimizer.load_state(optimizer_state);
  } catch (const std::invalid_argument& error) {
    fail(checkpoint, error.what());
  }

  counters.step = checkpoint.meta_int("step");
  counters.images_seen = checkpoint.meta_int("images_seen");
  counters.skipped_steps = checkpoint.meta_int("skipped_steps");
  const bool same_world = checkpoint.meta_int("world_size") == world;
  const int row = same_world ? rank : 0;

  const at::Tensor rng = model_io::to_tensor(checkpoint.at("rng/cpu"));
  // A row of its own: the generator reads the state from the start of the tensor's storage.
  if (same_world) set_cpu_rng_state(rng[row].clone());

  SavedPositions positions;
  positions.main = position_from_row(model_io::to_tensor(checkpoint.at("loader/position"))[row].contiguous());
  if (const storage::Array* outlier = checkpoint.find("loader/outlier_position")) {
    positions.outlier = position_from_row(model_io::to_tensor(*outlier)[row].contiguous());
  }
  return positions;
}

}  // namespace hierad::train
