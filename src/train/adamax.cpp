#include "src/train/adamax.hpp"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <cmath>
#include <stdexcept>

namespace hierad::train {

Adamax::Adamax(std::vector<std::pair<std::string, at::Tensor>> params, AdamaxOptions options)
    : options_(options) {
  slots_.reserve(params.size());
  for (auto& [name, param] : params) {
    slots_.push_back({name, param, at::zeros_like(param), at::zeros_like(param)});
  }
}

void Adamax::step(double lr) {
  at::NoGradGuard no_grad;
  ++steps_;
  const double bias_correction = 1.0 - std::pow(options_.beta1, static_cast<double>(steps_));
  for (Slot& slot : slots_) {
    const at::Tensor& grad_in = slot.param.grad();
    if (!grad_in.defined()) continue;
    at::Tensor grad = options_.weight_decay != 0.0 ? grad_in.add(slot.param, options_.weight_decay) : grad_in;
    slot.exp_avg.mul_(options_.beta1).add_(grad, 1.0 - options_.beta1);
    at::maximum_out(slot.exp_inf, slot.exp_inf.mul_(options_.beta2), grad.abs().add_(options_.eps));
    slot.param.addcdiv_(slot.exp_avg, slot.exp_inf, -lr / bias_correction);
  }
}

void Adamax::zero_grad() {
  for (Slot& slot : slots_) {
    at::Tensor grad = slot.param.mutable_grad();
    if (grad.defined()) grad.zero_();
  }
}

std::map<std::string, at::Tensor> Adamax::state() const {
  std::map<std::string, at::Tensor> out;
  for (const Slot& slot : slots_) {
    out[slot.name + ".exp_avg"] = slot.exp_avg;
    out[slot.name + ".exp_inf"] = slot.exp_inf;
  }
  out["step"] = at::scalar_tensor(steps_, at::kLong);
  return out;
}

void Adamax::load_state(const std::map<std::string, at::Tensor>& state) {
  auto fetch = [&state](const std::string& key, const at::Tensor& like) -> const at::Tensor& {
    auto it = state.find(key);
    if (it == state.end()) throw std::invalid_argument("optimizer state has no entry '" + key + "'");
    if (like.defined() && it->second.sizes() != like.sizes()) {
      throw std::invalid_argument("optimizer state '" + key + "' has the wrong shape");
    }
    return it->second;
  };
  at::NoGradGuard no_grad;
  for (Slot& slot : slots_) {
    slot.exp_avg.copy_(fetch(slot.name + ".exp_avg", slot.exp_avg));
    slot.exp_inf.copy_(fetch(slot.name + ".exp_inf", slot.exp_inf));
  }
  steps_ = fetch("step", at::Tensor()).item<std::int64_t>();
}

}  // namespace hierad::train
