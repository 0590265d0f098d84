#include "src/model/split_prior.hpp"

#include <ATen/ATen.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace hierad::model {

std::pair<at::Tensor, at::Tensor> split_channels(const at::Tensor& h) {
  if (h.dim() != 4 || h.size(1) % 2 != 0) {
    throw std::invalid_argument("split_channels: expected [N, C, H, W] with even C, got " +
                                c10::str(h.sizes()));
  }
  const auto half = h.size(1) / 2;
  return {h.narrow(1, 0, half), h.narrow(1, half, half)};
}

at::Tensor merge_channels(const at::Tensor& leaving, const at::Tensor& continuing) {
  return at::cat({leaving, continuing}, 1);
}

at::Tensor standard_normal_log_prob(const at::Tensor& z) {
  static const double half_log_two_pi = 0.5 * std::log(2.0 * M_PI);
  const auto n = z.size(0);
  const auto dims = n > 0 ? z.numel() / n : 0;
  return z.reshape({n, -1}).square().sum(1) * -0.5 - half_log_two_pi * static_cast<double>(dims);
}

PriorImpl::PriorImpl(std::int64_t channels, std::int64_t height, std::int64_t width)
    : channels_(channels), height_(height), width_(width) {
  actnorm = register_module("actnorm", ActNorm(channels * height * width, 1e-8));
}

void PriorImpl::check(const at::Tensor& z, const char* what) const {
  if (z.dim() != 4 || z.size(1) != channels_ || z.size(2) != height_ || z.size(3) != width_) {
    throw std::invalid_argument(std::string("Prior::") + what + ": expected [N, " +
                                std::to_string(channels_) + ", " + std::to_string(height_) + ", " +
                                std::to_string(width_) + "], got " + c10::str(z.sizes()));
  }
}

FlowResult PriorImpl::forward(const at::Tensor& z) {
  check(z, "forward");
  auto r = actnorm->forward(z.reshape({z.size(0), -1}));
  return {r.y.view(z.sizes()), r.logdet};
}

at::Tensor PriorImpl::reverse(const at::Tensor& y) {
  check(y, "reverse");
  return actnorm->reverse(y.reshape({y.size(0), -1})).view(y.sizes());
}

FlowResult PriorImpl::initialize(const at::Tensor& z, const AllReduceSum& reduce) {
  check(z, "initialize");
  auto r = actnorm->initialize(z.reshape({z.size(0), -1}), reduce);
  return {r.y.view(z.sizes()), r.logdet};
}

}  // namespace hierad::model
