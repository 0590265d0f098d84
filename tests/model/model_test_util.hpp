// Helpers shared by the model tests: random weights, brute-force Jacobians, tiny configurations.
#pragma once

#include "src/model/glow_options.hpp"

#include <ATen/ATen.h>
#include <torch/autograd.h>
#include <torch/nn/module.h>

#include <functional>
#include <vector>

namespace hierad::model::testing {

// Adds N(0, scale^2) noise to every parameter, so that layers are far from their (near identity)
// initialisation: zero convs become non-zero, ActNorms and LU factors move.
inline void perturb(torch::nn::Module& module, double scale) {
  at::NoGradGuard no_grad;
  for (auto& p : module.parameters()) p.add_(at::randn_like(p) * scale);
}

// log|det dy/dx| of each example of a map that acts on each example separately, by autograd: each
// example is repeated D times, and one backward pass with the identity as output gradient gives the
// [N, D, D] Jacobian (row i from copy i), then slogdet. Use float64.
inline at::Tensor brute_force_logdet(const std::function<at::Tensor(const at::Tensor&)>& f,
                                     const at::Tensor& x) {
  const auto n = x.size(0);
  const auto d = x.numel() / n;
  std::vector<std::int64_t> expanded{d}, repeated{d * n};
  for (std::int64_t i = 0; i < x.dim(); ++i) expanded.push_back(x.size(i));
  for (std::int64_t i = 1; i < x.dim(); ++i) repeated.push_back(x.size(i));
  auto input = x.detach().unsqueeze(0).expand(expanded).reshape(repeated).clone();
  input.requires_grad_(true);
  const auto y = f(input).reshape({d, n, -1});
  const auto eye = at::eye(d, x.options()).view({d, 1, d}).expand({d, n, d});
  const auto g = torch::autograd::grad({y}, {input}, {eye})[0].reshape({d, n, d});
  return std::get<1>(at::linalg_slogdet(g.permute({1, 0, 2})));
}

inline double max_abs_diff(const at::Tensor& a, const at::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

// Images in [-0.5, 0.5] with spatial structure (smooth gradients plus noise), like real data.
inline at::Tensor test_images(std::int64_t n, std::int64_t channels, std::int64_t size,
                              at::ScalarType dtype = at::kFloat) {
  const auto ramp = at::linspace(-0.4, 0.4, size, at::kDouble);
  const auto base = ramp.view({1, 1, size, 1}) * at::rand({n, channels, 1, 1}, at::kDouble) +
                    ramp.view({1, 1, 1, size}) * at::rand({n, channels, 1, 1}, at::kDouble);
  return (base + 0.1 * at::randn({n, channels, size, size}, at::kDouble))
      .clamp(-0.5, 0.5)
      .to(dtype);
}

inline GlowOptions tiny_options(int in_channels, int size, int scales, int steps, int hidden) {
  GlowOptions o;
  o.in_channels = in_channels;
  o.image_size = size;
  o.scales = scales;
  o.steps = steps;
  o.hidden = hidden;
  return o;
}

}  // namespace hierad::model::testing
