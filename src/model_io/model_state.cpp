#include "src/model_io/model_state.hpp"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <set>
#include <stdexcept>
#include <string>

namespace hierad::model_io {
namespace {

[[noreturn]] void fail(const storage::Checkpoint& checkpoint, const std::string& problem) {
  throw std::runtime_error(checkpoint.path.string() + ": " + problem);
}

}  // namespace

void add_model_arrays(ArrayBundle& arrays, const torch::nn::Module& model) {
  for (const auto& item : model.named_parameters()) arrays.add(kModelPrefix + item.key(), item.value());
  for (const auto& item : model.named_buffers()) arrays.add(kModelPrefix + item.key(), item.value());
}

void load_model_state(const storage::Checkpoint& checkpoint, torch::nn::Module& model) {
  at::NoGradGuard no_grad;
  std::set<std::string> expected;
  auto restore = [&](const std::string& name, at::Tensor& target) {
    const std::string key = kModelPrefix + name;
    expected.insert(key);
    const storage::Array* array = checkpoint.find(key);
    if (array == nullptr) fail(checkpoint, "has no entry '" + key + "' (a different model?)");
    at::Tensor value = to_tensor(*array);
    if (value.sizes() != target.sizes()) fail(checkpoint, "entry '" + key + "' has another shape than the model's");
    target.copy_(value);
  };
  for (auto& item : model.named_parameters()) restore(item.key(), item.value());
  for (auto& item : model.named_buffers()) restore(item.key(), item.value());
  for (const storage::Array& array : checkpoint.arrays) {
    if (array.name.rfind(kModelPrefix, 0) == 0 && !expected.count(array.name)) {
      fail(checkpoint, "entry '" + array.name + "' is not part of this model (a different architecture?)");
    }
  }
}

}  // namespace hierad::model_io
