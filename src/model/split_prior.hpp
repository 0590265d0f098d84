// Split and prior (method.md §1-2).
//
// split: the FIRST half of the channels leaves to this scale's prior, the SECOND half continues.
// Prior: the leaving dims, flattened in (C, H, W) order (D_k dims), go through a per-dimension
// ActNorm (D_k "channels", 1e-8 added to the scale, data-initialised) and then N(0, I).
//   A_k = log-det of that ActNorm, G_k = sum over the D_k dims of log N(z; 0, 1).
#pragma once

#include "src/model/actnorm.hpp"

#include <utility>

namespace hierad::model {

// {leaving = h[:, :C/2], continuing = h[:, C/2:]}
std::pair<at::Tensor, at::Tensor> split_channels(const at::Tensor& h);
at::Tensor merge_channels(const at::Tensor& leaving, const at::Tensor& continuing);

// sum over all but the batch dim of log N(z; 0, 1): [N]
at::Tensor standard_normal_log_prob(const at::Tensor& z);

class PriorImpl : public torch::nn::Module {
 public:
  // The shape [C, H, W] of the dims that leave at this scale.
  PriorImpl(std::int64_t channels, std::int64_t height, std::int64_t width);

  // y: the standardised latent (same shape as z), logdet: A_k [N].
  FlowResult forward(const at::Tensor& z);
  at::Tensor reverse(const at::Tensor& y);
  FlowResult initialize(const at::Tensor& z, const AllReduceSum& reduce);

  std::int64_t dims() const { return actnorm->channels(); }
  ActNorm actnorm{nullptr};  // over [N, D_k]

 private:
  void check(const at::Tensor& z, const char* what) const;
  std::int64_t channels_, height_, width_;
};
TORCH_MODULE(Prior);

}  // namespace hierad::model
