// The channel mixing of a flow step (method.md §1): an invertible 1x1 convolution in LU form, or a
// fixed random permutation. Both expose their [C, C] matrix so FlowStep can fold ActNorm into it.
#pragma once

#include "src/model/derived_cache.hpp"
#include "src/model/flow_result.hpp"

#include <torch/nn/module.h>

#include <cstdint>

namespace hierad::model {

// y = W x at every pixel; log-det = H * W * log|det W|.
class ChannelMixer : public torch::nn::Module {
 public:
  virtual FlowResult forward(const at::Tensor& x);
  virtual at::Tensor reverse(const at::Tensor& y);
  virtual at::Tensor weight() = 0;          // W, [C, C]
  virtual at::Tensor inverse_weight() = 0;  // W^-1, [C, C]
  virtual at::Tensor logabsdet() = 0;       // log|det W|, a scalar tensor
  // Tensors W is derived from (key of the caches that hold W or anything folded into it).
  virtual std::vector<at::Tensor> sources() const = 0;
  std::int64_t channels() const { return channels_; }

 protected:
  explicit ChannelMixer(std::int64_t channels);
  std::int64_t channels_;
};

// W = P (L*M_low + I) (U*M_up + diag(sign_s * exp(log_abs_s))), initialised from the LU
// decomposition of the Q of a Gaussian matrix's QR (default generator). Learned: "lower", "upper"
// (full [C, C] tensors, masked), "log_abs_s"; buffers "permutation", "sign_s", "lower_mask",
// "upper_mask", "eye".
//
// weight() rebuilds W on every call while autograd needs it; without autograd (scoring) it returns
// the W cached for the current parameter version (DerivedCache), so W is built at most once per
// version. weight_builds() counts the builds (tests, benchmark).
class InvConvLUImpl : public ChannelMixer {
 public:
  explicit InvConvLUImpl(std::int64_t channels);

  at::Tensor weight() override;
  at::Tensor inverse_weight() override;
  at::Tensor logabsdet() override { return log_abs_s.sum(); }
  std::vector<at::Tensor> sources() const override;
  std::int64_t weight_builds() const { return weight_builds_; }

  at::Tensor lower, upper, log_abs_s;                           // parameters
  at::Tensor permutation, sign_s, lower_mask, upper_mask, eye;  // buffers

 private:
  at::Tensor build_weight();
  DerivedCache cache_;  // W, W^-1 (W^-1 is only built when asked for)
  std::int64_t weight_builds_ = 0;
};

// A fixed random permutation of the channels (default generator); buffer "perm" (int64 [C]).
// log-det 0.
class FixedPermutationImpl : public ChannelMixer {
 public:
  explicit FixedPermutationImpl(std::int64_t channels);

  FlowResult forward(const at::Tensor& x) override;
  at::Tensor reverse(const at::Tensor& y) override;
  at::Tensor weight() override;
  at::Tensor inverse_weight() override;
  at::Tensor logabsdet() override;
  std::vector<at::Tensor> sources() const override { return {perm}; }

  // The C++ Module::to(dtype) converts every buffer, integer ones included; "perm" stays int64.
  using torch::nn::Module::to;
  void to(torch::Dtype dtype, bool non_blocking = false) override;
  void to(torch::Device device, torch::Dtype dtype, bool non_blocking = false) override;

  at::Tensor perm;  // buffer: y[:, i] = x[:, perm[i]]
};

}  // namespace hierad::model
