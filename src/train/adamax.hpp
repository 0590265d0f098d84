// Adamax (Kingma & Ba 2015, §7.1) with L2 weight decay added to the gradient, as torch.optim.Adamax
// computes it. LibTorch's C++ API has no Adamax, and hierad needs the state as named tensors for its
// HDF5 checkpoints anyway.
//
//   g   = grad + weight_decay * p
//   m   = beta1 * m + (1 - beta1) * g
//   u   = max(beta2 * u, |g| + eps)
//   p  -= lr / (1 - beta1^t) * m / u
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace hierad::train {

struct AdamaxOptions {
  double lr = 5e-4;
  double weight_decay = 5e-5;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
};

class Adamax {
 public:
  // `params`: (name, parameter) pairs; the names key the state in checkpoints.
  Adamax(std::vector<std::pair<std::string, at::Tensor>> params, AdamaxOptions options);

  // One update with the gradients currently in the parameters, at learning rate `lr` (the schedule
  // is the caller's). Parameters without a gradient are left alone, and so is their state.
  void step(double lr);
  void zero_grad();

  std::int64_t steps_taken() const { return steps_; }
  const AdamaxOptions& options() const { return options_; }

  // State as named tensors: "<param>.exp_avg", "<param>.exp_inf" and "step" (int64 scalar).
  std::map<std::string, at::Tensor> state() const;
  // Restores what state() returned; throws std::invalid_argument naming a missing or misshapen entry.
  void load_state(const std::map<std::string, at::Tensor>& state);

 private:
  struct Slot {
    std::string name;
    at::Tensor param;
    at::Tensor exp_avg;
    at::Tensor exp_inf;
  };
  std::vector<Slot> slots_;
  AdamaxOptions options_;
  std::int64_t steps_ = 0;
};

}  // namespace hierad::train
