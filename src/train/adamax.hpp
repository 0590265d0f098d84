// Adamax (Kingma & Ba 2015, §7.1) with L2 weight decay added to the gradient, as torch.optim.Adamax
// computes it. LibTorch's C++ API has no Adamax, and hierad needs the state as named tensors for its
// HDF5 checkpoints anyway.
//
//   g   = grad + weight_decay * p
//   m   = beta1 * m + (1 - beta1) * g
//   u   = max(beta2 * u, |g| + eps)
//   t   = t + 1
//   p  -= lr / (1 - beta1^t) * m / u
//
// It works on FlatParameters' buffers (Note [Flat parameters]): a step is about a dozen kernels per
// dtype, whatever the number of parameter tensors. The step count t lives on the device, so that a
// skipped step (Note [Skipped steps] in trainer.hpp) can be decided there without the host ever
// waiting for the GPU: step(lr, skip) leaves p, m, u and t untouched where `skip` is true.
#pragma once

#include "src/distributed/flat_parameters.hpp"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <string>
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
  // `names[i]` names flat.params()[i]; the names key the state in checkpoints. `flat` must outlive
  // the optimizer. Throws std::invalid_argument when the counts differ.
  Adamax(distributed::FlatParameters& flat, std::vector<std::string> names, AdamaxOptions options);

  // One update with the gradients currently in the buffers, at learning rate `lr` (the schedule is
  // the caller's). `skip`: a 0-dim bool tensor on the parameters' device; where it is true the step
  // changes nothing (parameters, moments, step count). Undefined: never skip. The gradients are
  // used as scratch space (zero them afterwards, as every step does). No host synchronisation.
  void step(double lr, const at::Tensor& skip = {});
  // Zeroes every gradient (one fill per buffer).
  void zero_grad();

  // Steps taken (skipped ones not counted). Reads the device: not for inside a step.
  std::int64_t steps_taken() const;
  const AdamaxOptions& options() const { return options_; }

  // State as named tensors: "<param>.exp_avg", "<param>.exp_inf" (views of the moment buffers) and
  // "step" (int64 scalar, on the host).
  std::map<std::string, at::Tensor> state() const;
  // Restores what state() returned; throws std::invalid_argument naming a missing or misshapen entry.
  void load_state(const std::map<std::string, at::Tensor>& state);

 private:
  struct Moments {
    at::Tensor exp_avg;  // same layout as the group's buffers
    at::Tensor exp_inf;
  };
  distributed::FlatParameters& flat_;
  std::vector<std::string> names_;
  std::vector<Moments> moments_;  // per group of flat_
  AdamaxOptions options_;
  at::Tensor steps_;              // 0-dim float64 on the device: t
};

}  // namespace hierad::train
