#include "src/model/invconv_lu.hpp"

#include <ATen/ATen.h>

#include <stdexcept>
#include <string>

namespace hierad::model {
namespace {

void check_input(const at::Tensor& x, std::int64_t channels, const char* what) {
  if (x.dim() != 4 || x.size(1) != channels) {
    throw std::invalid_argument(std::string(what) + ": expected [N, " + std::to_string(channels) +
                                ", H, W], got " + c10::str(x.sizes()));
  }
}

at::Tensor conv1x1(const at::Tensor& x, const at::Tensor& w) {
  return at::conv2d(x, w.view({w.size(0), w.size(1), 1, 1}));
}

}  // namespace

ChannelMixer::ChannelMixer(std::int64_t channels) : channels_(channels) {
  if (channels < 1) throw std::invalid_argument("ChannelMixer: channels must be >= 1");
}

FlowResult ChannelMixer::forward(const at::Tensor& x) {
  check_input(x, channels_, "ChannelMixer::forward");
  const double pixels = static_cast<double>(x.size(2) * x.size(3));
  return {conv1x1(x, weight()), (logabsdet() * pixels).expand({x.size(0)}).contiguous()};
}

at::Tensor ChannelMixer::reverse(const at::Tensor& y) {
  check_input(y, channels_, "ChannelMixer::reverse");
  return conv1x1(y, inverse_weight());
}

InvConvLUImpl::InvConvLUImpl(std::int64_t channels) : ChannelMixer(channels) {
  at::NoGradGuard no_grad;
  // A random rotation (orthogonal Q), factored as Q = P L U; the factorisation in float64.
  const auto q = std::get<0>(at::linalg_qr(at::randn({channels, channels}, at::kDouble)));
  auto [p, l, u] = at::linalg_lu(q);
  const auto s = u.diagonal();
  const auto opts = at::TensorOptions().dtype(at::kFloat);
  lower = register_parameter("lower", l.tril(-1).to(opts));
  upper = register_parameter("upper", u.triu(1).to(opts));
  log_abs_s = register_parameter("log_abs_s", s.abs().log().to(opts));
  permutation = register_buffer("permutation", p.to(opts));
  sign_s = register_buffer("sign_s", s.sign().to(opts));
  lower_mask = register_buffer("lower_mask", at::ones({channels, channels}, opts).tril(-1));
  upper_mask = register_buffer("upper_mask", at::ones({channels, channels}, opts).triu(1));
  eye = register_buffer("eye", at::eye(channels, opts));
}

std::vector<at::Tensor> InvConvLUImpl::sources() const {
  return {lower, upper, log_abs_s, permutation, sign_s, lower_mask, upper_mask};
}

at::Tensor InvConvLUImpl::build_weight() {
  ++weight_builds_;
  const auto l = lower * lower_mask + eye;
  const auto u = upper * upper_mask + at::diag(sign_s * log_abs_s.exp());
  return permutation.matmul(l).matmul(u);
}

at::Tensor InvConvLUImpl::weight() {
  const auto src = sources();
  if (needs_autograd(src)) return build_weight();
  if (!cache_.valid(src)) cache_.store(src, {build_weight(), at::Tensor()});
  return cache_[0];
}

at::Tensor InvConvLUImpl::inverse_weight() {
  // The inverse is taken in float64 (as the reference implementations take the determinant).
  const auto invert = [](const at::Tensor& w) {
    return at::linalg_inv(w.to(at::kDouble)).to(w.scalar_type());
  };
  const auto src = sources();
  if (needs_autograd(src)) return invert(build_weight());
  if (!cache_.valid(src)) cache_.store(src, {build_weight(), at::Tensor()});
  if (!cache_[1].defined()) {
    at::Tensor w = cache_[0];
    cache_.store(src, {w, invert(w)});
  }
  return cache_[1];
}

FixedPermutationImpl::FixedPermutationImpl(std::int64_t channels) : ChannelMixer(channels) {
  perm = register_buffer("perm", at::randperm(channels, at::kLong));
}

void FixedPermutationImpl::to(torch::Dtype dtype, bool non_blocking) {
  torch::nn::Module::to(dtype, non_blocking);
  perm.set_data(perm.to(at::kLong));
}

void FixedPermutationImpl::to(torch::Device device, torch::Dtype dtype, bool non_blocking) {
  torch::nn::Module::to(device, dtype, non_blocking);
  perm.set_data(perm.to(at::kLong));
}

FlowResult FixedPermutationImpl::forward(const at::Tensor& x) {
  check_input(x, channels_, "FixedPermutation::forward");
  return {x.index_select(1, perm), at::zeros({x.size(0)}, x.options())};
}

at::Tensor FixedPermutationImpl::reverse(const at::Tensor& y) {
  check_input(y, channels_, "FixedPermutation::reverse");
  return y.index_select(1, at::argsort(perm));
}

at::Tensor FixedPermutationImpl::weight() {
  // Row i selects input channel perm[i]. Float dtype/device follow the caller (FlowStep casts).
  return at::eye(channels_, perm.options().dtype(at::kFloat)).index_select(0, perm);
}

at::Tensor FixedPermutationImpl::inverse_weight() { return weight().t().contiguous(); }

at::Tensor FixedPermutationImpl::logabsdet() {
  return at::zeros({}, perm.options().dtype(at::kFloat));
}

}  // namespace hierad::model
