// One scale of the multi-scale Glow (method.md §1): squeeze -> K flow steps -> split (not at the
// last scale) -> prior of the leaving dims. Children: "step_0" ... "step_{K-1}", "prior".
#pragma once

#include "src/model/flow_step.hpp"
#include "src/model/glow_options.hpp"
#include "src/model/split_prior.hpp"

#include <array>
#include <vector>

namespace hierad::model {

struct ScaleResult {
  at::Tensor next;           // the continuing half, input of scale k+1 (undefined at the last)
  at::Tensor latent;         // z_k, the standardised leaving dims [N, C_k, H_k, W_k]
  at::Tensor flow_logdet;    // F_k [N]
  at::Tensor prior_logdet;   // A_k [N]
  at::Tensor gaussian_logp;  // G_k [N]
};

class ScaleImpl : public torch::nn::Module {
 public:
  // in_channels / size: the shape this scale receives (before its squeeze).
  ScaleImpl(std::int64_t in_channels, std::int64_t size, bool last, const GlowOptions& options);

  ScaleResult forward(const at::Tensor& x);
  // x from z_k and (except at the last scale) the input that scale k+1 reconstructed.
  at::Tensor reverse(const at::Tensor& latent, const at::Tensor& next);
  ScaleResult initialize(const at::Tensor& x, const AllReduceSum& reduce);

  std::array<std::int64_t, 3> latent_shape() const { return latent_shape_; }  // [C_k, H_k, W_k]
  std::int64_t leaving_dims() const;
  bool last() const { return last_; }

  std::vector<FlowStep> steps;
  Prior prior{nullptr};

 private:
  ScaleResult finish(const at::Tensor& h, const at::Tensor& flow_logdet, const FlowResult& p) const;

  bool last_;
  std::array<std::int64_t, 3> latent_shape_{};
};
TORCH_MODULE(Scale);

}  // namespace hierad::model
