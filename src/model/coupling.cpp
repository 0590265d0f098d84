#include "src/model/coupling.hpp"

#include <ATen/ATen.h>
#include <torch/nn/init.h>

#include <stdexcept>
#include <string>

namespace hierad::model {
namespace {

at::Tensor per_out_channel(const at::Tensor& v) { return v.view({-1, 1, 1, 1}); }

}  // namespace

CouplingNetImpl::CouplingNetImpl(std::int64_t in_channels, std::int64_t hidden,
                                 std::int64_t out_channels)
    : out_channels_(out_channels) {
  using torch::nn::Conv2dOptions;
  if (in_channels < 1 || hidden < 1 || out_channels < 1) {
    throw std::invalid_argument("CouplingNet: channel counts must be >= 1");
  }
  conv1 = register_module(
      "conv1", torch::nn::Conv2d(Conv2dOptions(in_channels, hidden, 3).padding(1).bias(false)));
  actnorm1 = register_module("actnorm1", ActNorm(hidden));
  conv2 = register_module("conv2",
                          torch::nn::Conv2d(Conv2dOptions(hidden, hidden, 1).bias(false)));
  actnorm2 = register_module("actnorm2", ActNorm(hidden));
  zero_conv = register_module(
      "zero_conv", torch::nn::Conv2d(Conv2dOptions(hidden, out_channels, 3).padding(1)));
  zero_logs = register_parameter("zero_logs", at::zeros({out_channels}));
  at::NoGradGuard no_grad;
  torch::nn::init::normal_(conv1->weight, 0.0, 0.05);
  torch::nn::init::normal_(conv2->weight, 0.0, 0.05);
  zero_conv->weight.zero_();
  zero_conv->bias.zero_();
}

std::vector<at::Tensor> CouplingNetImpl::sources() const {
  return {conv1->weight,       actnorm1->loc,   actnorm1->log_scale, conv2->weight,
          actnorm2->loc,       actnorm2->log_scale, zero_conv->weight, zero_conv->bias,
          zero_logs};
}

CouplingNetImpl::Folded CouplingNetImpl::fold(bool grouped) {
  // ActNorm(conv(x, W)) = e * (conv(x, W) + loc) = conv(x, W * e) + e * loc, per output channel.
  const auto e1 = actnorm1->scale();
  const auto e2 = actnorm2->scale();
  const auto e3 = (zero_logs * 3.0).exp();
  Folded f{conv1->weight * per_out_channel(e1), e1 * actnorm1->loc,
           conv2->weight * per_out_channel(e2), e2 * actnorm2->loc,
           zero_conv->weight * per_out_channel(e3), zero_conv->bias * e3};
  if (grouped) {
    // Output channel order [0, 2, 4, ..., 1, 3, 5, ...]: a view and a copy (cheap backward).
    const auto half = out_channels_ / 2;
    f.w3 = f.w3.view({half, 2, -1}).transpose(0, 1).reshape(f.w3.sizes());
    f.b3 = f.b3.view({half, 2}).t().reshape({out_channels_});
  }
  const auto dtype = bf16_ ? at::kBFloat16 : f.w1.scalar_type();
  for (auto* w : {&f.w1, &f.w2, &f.w3}) {
    *w = w->to(w->options().dtype(dtype), false, false, at::MemoryFormat::ChannelsLast);
  }
  for (auto* b : {&f.b1, &f.b2, &f.b3}) *b = b->to(dtype);
  return f;
}

at::Tensor CouplingNetImpl::run(const at::Tensor& x, bool grouped) {
  const auto src = sources();
  Folded f;
  if (needs_autograd(src)) {
    f = fold(grouped);
  } else {
    if (!cache_.valid(src) || cached_grouped_ != grouped || cached_bf16_ != bf16_) {
      const auto g = fold(grouped);
      cache_.store(src, {g.w1, g.b1, g.w2, g.b2, g.w3, g.b3});
      cached_grouped_ = grouped;
      cached_bf16_ = bf16_;
    }
    f = {cache_[0], cache_[1], cache_[2], cache_[3], cache_[4], cache_[5]};
  }
  // Channels-last activations: oneDNN convolves NHWC directly, while NCHW inputs are reordered to
  // its blocked layout and back in every call (3-4x slower for the hidden 1x1 and first 3x3 conv
  // on the CPU, see tests/bench/bench_model.md). The ReLUs run in place on the convolutions' outputs,
  // which their backward does not need.
  const auto in = x.to(x.options().dtype(f.w1.scalar_type()), false, false,
                       at::MemoryFormat::ChannelsLast);
  auto h = at::conv2d(in, f.w1, f.b1, 1, 1);
  at::relu_(h);
  h = at::conv2d(h, f.w2, f.b2);
  at::relu_(h);
  const auto o = at::conv2d(h, f.w3, f.b3, 1, 1);
  return o.to(x.options(), false, false, at::MemoryFormat::Contiguous);
}

at::Tensor CouplingNetImpl::forward(const at::Tensor& x) { return run(x, false); }
at::Tensor CouplingNetImpl::forward_grouped(const at::Tensor& x) { return run(x, true); }

at::Tensor CouplingNetImpl::initialize(const at::Tensor& x, const AllReduceSum& reduce) {
  // Layer by layer, so each ActNorm sees its input; channels-last like run().
  const auto in = x.contiguous(at::MemoryFormat::ChannelsLast);
  auto h = actnorm1->initialize(at::conv2d(in, conv1->weight, {}, 1, 1), reduce).y;
  at::relu_(h);
  h = actnorm2->initialize(at::conv2d(h, conv2->weight), reduce).y;
  at::relu_(h);
  const auto o = at::conv2d(h, zero_conv->weight, zero_conv->bias, 1, 1) *
                 (zero_logs * 3.0).exp().view({1, -1, 1, 1});
  return o.contiguous();
}

CouplingImpl::CouplingImpl(std::int64_t channels, std::int64_t hidden, CouplingKind kind)
    : channels_(channels), kind_(kind) {
  if (channels < 2 || channels % 2 != 0) {
    throw std::invalid_argument("Coupling: channels must be even and >= 2, got " +
                                std::to_string(channels));
  }
  const auto half = channels / 2;
  net = register_module(
      "net", CouplingNet(half, hidden, kind == CouplingKind::affine ? channels : half));
}

std::pair<at::Tensor, at::Tensor> CouplingImpl::shift_and_raw_scale(const at::Tensor& x_a,
                                                                    bool initializing,
                                                                    const AllReduceSum& reduce) {
  const auto half = channels_ / 2;
  if (kind_ == CouplingKind::additive) {
    return {initializing ? net->initialize(x_a, reduce) : net->forward(x_a), at::Tensor()};
  }
  if (initializing) {
    const auto o = net->initialize(x_a, reduce);
    return {o.slice(1, 0, channels_, 2), o.slice(1, 1, channels_, 2)};
  }
  // Grouped output: t = o[:, 0::2] first, r = o[:, 1::2] second, each a contiguous block.
  const auto o = net->forward_grouped(x_a);
  return {o.narrow(1, 0, half), o.narrow(1, half, half)};
}

FlowResult CouplingImpl::couple(const at::Tensor& h, bool initializing,
                                const AllReduceSum& reduce) {
  if (h.dim() != 4 || h.size(1) != channels_) {
    throw std::invalid_argument("Coupling: expected [N, " + std::to_string(channels_) +
                                ", H, W], got " + c10::str(h.sizes()));
  }
  const auto half = channels_ / 2;
  const auto x_a = h.narrow(1, 0, half);
  const auto x_b = h.narrow(1, half, half);
  const auto [t, r] = shift_and_raw_scale(x_a, initializing, reduce);
  if (kind_ == CouplingKind::additive) {
    return {at::cat({x_a, x_b + t}, 1), at::zeros({h.size(0)}, h.options())};
  }
  const auto z = r + 2.0;
  const auto y_b = (x_b + t) * at::sigmoid(z);
  return {at::cat({x_a, y_b}, 1), at::log_sigmoid(z).sum({1, 2, 3})};
}

FlowResult CouplingImpl::forward(const at::Tensor& h) { return couple(h, false, {}); }

FlowResult CouplingImpl::initialize(const at::Tensor& h, const AllReduceSum& reduce) {
  return couple(h, true, reduce);
}

at::Tensor CouplingImpl::reverse(const at::Tensor& y) {
  if (y.dim() != 4 || y.size(1) != channels_) {
    throw std::invalid_argument("Coupling::reverse: expected [N, " + std::to_string(channels_) +
                                ", H, W], got " + c10::str(y.sizes()));
  }
  const auto half = channels_ / 2;
  const auto y_a = y.narrow(1, 0, half);
  const auto y_b = y.narrow(1, half, half);
  const auto [t, r] = shift_and_raw_scale(y_a, false, {});
  const auto x_b = kind_ == CouplingKind::additive ? y_b - t : y_b / at::sigmoid(r + 2.0) - t;
  return at::cat({y_a, x_b}, 1);
}

}  // namespace hierad::model
