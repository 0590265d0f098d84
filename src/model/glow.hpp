// The multi-scale Glow (method.md §1-3) with its per-scale likelihood record.
//
// Children "scale_0" ... "scale_{L-1}"; parameter and buffer names are therefore stable paths such
// as "scale_0.step_3.invconv.lower" or "scale_2.prior.actnorm.initialized" (checkpoint keys).
// Inputs are float images in [-0.5, 0.5] (dequantised by the data layer), [N, C, S, S].
#pragma once

#include "src/model/glow_options.hpp"
#include "src/model/scale.hpp"

#include <ATen/core/Generator.h>

#include <array>
#include <optional>
#include <vector>

namespace hierad::model {

// Per-example likelihood terms. The per-scale terms are [N, L] tensors: column k is scale k
// (k = 0 the finest, 16x16 for 32x32 inputs; k = L-1 the final 4x4 scale). Float32 for a float32
// model (float64 for a float64 one), on the model's device.
struct LikelihoodRecord {
  at::Tensor flow_logdet;    // F_k: log-det of scale k's K flow steps
  at::Tensor prior_logdet;   // A_k: log-det of scale k's prior ActNorm
  at::Tensor gaussian_logp;  // G_k: sum of log N(z; 0, 1) over scale k's leaving dims
  at::Tensor scale_logp;     // lp_k = F_k + A_k + G_k
  at::Tensor log_p;          // [N] log p(x) = sum_k lp_k (density of x in [-0.5, 0.5]^D)
  at::Tensor bpd;            // [N] bits/dim = 8 - log p(x) / (D ln 2)
  // z_k [N, C_k, H_k, W_k], standard normal under the model; reverse(latents) gives x back.
  std::vector<at::Tensor> latents;
};

class GlowImpl : public torch::nn::Module {
 public:
  explicit GlowImpl(const GlowOptions& options = {});

  // With autograd on, the record carries the graph (training: loss = -log_p mean). Scoring runs
  // under at::NoGradGuard or c10::InferenceMode; then the derived weights are cached per parameter
  // version (at most one rebuild of each 1x1 conv from its LU factors per version).
  LikelihoodRecord forward(const at::Tensor& x);
  // forward(x) under c10::InferenceMode: no autograd, cached derived weights. The record holds
  // inference tensors (fine to store and analyse; to use them inside a training graph, e.g. a frozen
  // p_gen in the outlier loss, call forward() under at::NoGradGuard instead).
  LikelihoodRecord score(const at::Tensor& x);
  at::Tensor reverse(const std::vector<at::Tensor>& latents);
  // n images from z_k ~ N(0, temperature^2 I), without autograd; z is drawn on the generator's
  // device (the model's without one) and moved to the model's.
  at::Tensor sample(std::int64_t n, double temperature = 1.0,
                    std::optional<at::Generator> generator = std::nullopt);

  // Data-dependent init of every ActNorm not yet initialised, in forward order, on `batch`, with the
  // per-channel statistics summed through `reduce` (see Note [ActNorm init across ranks] in
  // actnorm.hpp). A model whose ActNorms are all initialised (e.g. loaded from a checkpoint) is left
  // untouched. Returns the number of ActNorm layers initialised by this call.
  int initialize(const at::Tensor& batch, const AllReduceSum& reduce = {});
  bool is_initialized() const;

  // Switches the precision mode (GlowOptions::precision) of an existing model.
  void set_precision(Precision precision);
  const GlowOptions& options() const { return options_; }
  // [C_k, H_k, W_k] of z_k for each scale.
  std::vector<std::array<std::int64_t, 3>> latent_shapes() const;
  // How many times 1x1 conv weights were built from their LU factors (all steps together).
  std::int64_t weight_builds() const;

  std::vector<Scale> scales;

 private:
  void check_input(const at::Tensor& x) const;
  GlowOptions options_;
};
TORCH_MODULE(Glow);

// Elements in all parameters of a module (what `hierad info --model` prints for a Glow).
std::int64_t parameter_count(const torch::nn::Module& module);
// The same count from the options alone, without building the model.
std::int64_t parameter_count(const GlowOptions& options);

}  // namespace hierad::model
