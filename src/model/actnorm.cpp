#include "src/model/actnorm.hpp"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace hierad::model {
namespace {

void check_input(const at::Tensor& x, std::int64_t channels, const char* what) {
  if (x.dim() < 2 || x.size(1) != channels) {
    throw std::invalid_argument(std::string("ActNorm::") + what + ": expected [N, " +
                                std::to_string(channels) + ", ...], got " + c10::str(x.sizes()));
  }
}

std::vector<std::int64_t> all_but_channel_dims(std::int64_t dim) {
  std::vector<std::int64_t> dims{0};
  for (std::int64_t d = 2; d < dim; ++d) dims.push_back(d);
  return dims;
}

}  // namespace

ActNormImpl::ActNormImpl(std::int64_t channels, double scale_eps)
    : channels_(channels), scale_eps_(scale_eps) {
  if (channels < 1) throw std::invalid_argument("ActNorm: channels must be >= 1");
  // Identity until data-initialised.
  loc = register_parameter("loc", at::zeros({channels}));
  log_scale = register_parameter("log_scale", at::zeros({channels}));
  initialized = register_buffer("initialized", at::zeros({1}, at::kByte));
}

at::Tensor ActNormImpl::broadcastable(const at::Tensor& p, std::int64_t dim) const {
  std::vector<std::int64_t> shape(static_cast<std::size_t>(dim), 1);
  shape[1] = channels_;
  return p.view(shape);
}

at::Tensor ActNormImpl::scale() const {
  auto s = log_scale.exp();
  return scale_eps_ != 0.0 ? s + scale_eps_ : s;
}

at::Tensor ActNormImpl::logdet_per_example(std::int64_t per_channel) const {
  return scale().log().sum() * static_cast<double>(per_channel);
}

FlowResult ActNormImpl::forward(const at::Tensor& x) {
  check_input(x, channels_, "forward");
  const auto n = x.size(0);
  const auto per_channel = n > 0 ? x.numel() / (n * channels_) : 0;
  auto y = (x + broadcastable(loc, x.dim())) * broadcastable(scale(), x.dim());
  return {y, logdet_per_example(per_channel).expand({n}).contiguous()};
}

at::Tensor ActNormImpl::reverse(const at::Tensor& y) {
  check_input(y, channels_, "reverse");
  return y / broadcastable(scale(), y.dim()) - broadcastable(loc, y.dim());
}

void ActNormImpl::to(torch::Dtype dtype, bool non_blocking) {
  torch::nn::Module::to(dtype, non_blocking);
  initialized.set_data(initialized.to(at::kByte));
}

void ActNormImpl::to(torch::Device device, torch::Dtype dtype, bool non_blocking) {
  torch::nn::Module::to(device, dtype, non_blocking);
  initialized.set_data(initialized.to(at::kByte));
}

bool ActNormImpl::is_initialized() const { return initialized.item<std::uint8_t>() != 0; }

FlowResult ActNormImpl::initialize(const at::Tensor& x, const AllReduceSum& reduce) {
  check_input(x, channels_, "initialize");
  if (!is_initialized()) {
    at::NoGradGuard no_grad;
    const auto dims = all_but_channel_dims(x.dim());
    const auto xd = x.detach();
    const auto per_channel = static_cast<double>(xd.numel() / channels_);
    // Pass 1: [sum_c..., count].
    auto first = at::cat({xd.sum(dims, false, at::kDouble),
                          at::full({1}, per_channel, xd.options().dtype(at::kDouble))});
    if (reduce) reduce(first);
    const auto count = first[channels_];
    const auto mean = first.narrow(0, 0, channels_) / count;
    // Pass 2: centred sums of squares.
    auto centred = xd - broadcastable(mean.to(xd.scalar_type()), xd.dim());
    auto second = centred.square().sum(dims, false, at::kDouble);
    if (reduce) reduce(second);
    // The unbiased (N - 1) std, as the authors' torch.std (method.md §1); N = count over all ranks.
    const auto std = (second / (count - 1).clamp_min(1)).sqrt().clamp_min(1e-6);
    loc.copy_(-mean);
    log_scale.copy_(-std.log());
    initialized.fill_(1);
  }
  return forward(x);
}

}  // namespace hierad::model
