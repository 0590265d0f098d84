#include "src/train/adamax.hpp"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <stdexcept>
#include <utility>

namespace hierad::train {

Adamax::Adamax(distributed::FlatParameters& flat, std::vector<std::string> names, AdamaxOptions options)
    : flat_(flat), names_(std::move(names)), options_(options) {
  if (names_.size() != flat_.params().size()) {
    throw std::invalid_argument("Adamax: " + std::to_string(names_.size()) + " names for " +
                                std::to_string(flat_.params().size()) + " parameters");
  }
  for (const auto& group : flat_.groups()) {
    moments_.push_back({at::zeros_like(group.data), at::zeros_like(group.data)});
  }
  const at::Device device = flat_.groups().empty() ? at::Device(at::kCPU) : flat_.groups().front().data.device();
  steps_ = at::zeros({}, at::TensorOptions().dtype(at::kDouble).device(device));
}

void Adamax::step(double lr, const at::Tensor& skip) {
  at::NoGradGuard no_grad;
  const AdamaxOptions& o = options_;
  if (skip.defined()) {
    steps_.add_(skip.logical_not());
  } else {
    steps_.add_(1.0);
  }
  // -lr / (1 - beta1^t) on the device: t is only known there.
  const at::Tensor step_size = (1.0 - at::pow(o.beta1, steps_)).reciprocal_().mul_(-lr);
  for (std::size_t g = 0; g < moments_.size(); ++g) {
    const auto& group = flat_.groups()[g];
    Moments& state = moments_[g];
    at::Tensor grad = group.grad;
    if (o.weight_decay != 0.0) grad.add_(group.data, o.weight_decay);           // g
    at::Tensor exp_avg = at::add(state.exp_avg.mul(o.beta1), grad, 1.0 - o.beta1);  // m
    at::Tensor exp_inf = state.exp_inf.mul(o.beta2);
    at::maximum_out(exp_inf, exp_inf, grad.abs_().add_(o.eps));                  // u
    at::Tensor update = at::div_out(grad, exp_avg, exp_inf).mul_(step_size).add_(group.data);
    at::Tensor data = group.data;
    if (skip.defined()) {
      at::where_out(data, skip, data, update);
      at::where_out(state.exp_avg, skip, state.exp_avg, exp_avg);
      at::where_out(state.exp_inf, skip, state.exp_inf, exp_inf);
    } else {
      data.copy_(update);
      state.exp_avg = std::move(exp_avg);
      state.exp_inf = std::move(exp_inf);
    }
  }
  flat_.bump_versions();
}

void Adamax::zero_grad() { flat_.zero_grad(); }

std::int64_t Adamax::steps_taken() const { return steps_.item<std::int64_t>(); }

std::map<std::string, at::Tensor> Adamax::state() const {
  std::map<std::string, at::Tensor> out;
  for (std::size_t i = 0; i < names_.size(); ++i) {
    const Moments& m = moments_[flat_.group_of(i)];
    out[names_[i] + ".exp_avg"] = flat_.view_of(m.exp_avg, i);
    out[names_[i] + ".exp_inf"] = flat_.view_of(m.exp_inf, i);
  }
  out["step"] = at::scalar_tensor(steps_taken(), at::kLong);
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
  for (std::size_t i = 0; i < names_.size(); ++i) {
    const Moments& m = moments_[flat_.group_of(i)];
    at::Tensor exp_avg = flat_.view_of(m.exp_avg, i);
    at::Tensor exp_inf = flat_.view_of(m.exp_inf, i);
    exp_avg.copy_(fetch(names_[i] + ".exp_avg", exp_avg));
    exp_inf.copy_(fetch(names_[i] + ".exp_inf", exp_inf));
  }
  steps_.fill_(fetch("step", at::Tensor()).item<std::int64_t>());
}

}  // namespace hierad::train
