// ActNorm (method.md §1): y = scale * (x + loc) per channel, scale = exp(log_scale) + scale_eps,
// log-det = (elements per channel and example) * sum(log scale). Channels are dim 1 of any
// [N, C, ...] input: the flow steps use [N, C, H, W], the priors [N, D_k] (one "channel" per dim).
//
// Parameters "loc" and "log_scale" have shape [C]; the buffer "initialized" ([1], uint8) is saved
// with the model, so a loaded model is never re-initialised.
//
// Note [ActNorm init across ranks]
// Data-dependent init sets loc = -mean_c and log_scale = -log(max(std_c, 1e-6)) over the batch and
// all positions (the unbiased N - 1 std, as the authors' torch.std). The statistics are computed in two passes of float64 sums: first
// [sum_c..., count], then the centred sums of squares (robust when |mean| >> std). Each pass goes
// through the AllReduceSum hook before use, so with an allreduce every rank computes the parameters
// of the global batch and ends with identical values. Every rank must make the same calls in the same
// order: initialise the same (uninitialised) layers on batches of the same shapes.
#pragma once

#include "src/model/flow_result.hpp"

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

namespace hierad::model {

class ActNormImpl : public torch::nn::Module {
 public:
  explicit ActNormImpl(std::int64_t channels, double scale_eps = 0.0);

  FlowResult forward(const at::Tensor& x);
  at::Tensor reverse(const at::Tensor& y);
  // Data-dependent init (see the Note) unless already initialised, then forward(x).
  FlowResult initialize(const at::Tensor& x, const AllReduceSum& reduce = {});

  bool is_initialized() const;
  at::Tensor scale() const;  // exp(log_scale) + scale_eps, [C]
  // The log-det of one example for `per_channel` elements per channel (H*W for images).
  at::Tensor logdet_per_example(std::int64_t per_channel) const;
  std::int64_t channels() const { return channels_; }

  // The C++ Module::to(dtype) converts every buffer, integer ones included; "initialized" stays uint8.
  using torch::nn::Module::to;
  void to(torch::Dtype dtype, bool non_blocking = false) override;
  void to(torch::Device device, torch::Dtype dtype, bool non_blocking = false) override;

  at::Tensor loc, log_scale;  // parameters [C]
  at::Tensor initialized;     // buffer [1], uint8

 private:
  at::Tensor broadcastable(const at::Tensor& p, std::int64_t dim) const;  // [C] -> [1, C, 1...]

  std::int64_t channels_;
  double scale_eps_;
};
TORCH_MODULE(ActNorm);

}  // namespace hierad::model
