// One flow step (method.md §1): ActNorm -> invertible 1x1 conv (or fixed permutation) -> coupling.
//
// forward() folds the ActNorm into the 1x1 convolution: W (e * (x + loc)) = (W diag e) x + (W diag e)
// loc, one convolution with bias instead of two elementwise passes and a convolution. Without
// autograd the folded weight is cached per parameter version. The layers remain usable one by one
// (initialize() and reverse() go through them), and tests check the fold against their composition.
#pragma once

#include "src/model/actnorm.hpp"
#include "src/model/coupling.hpp"
#include "src/model/invconv_lu.hpp"

#include <memory>

namespace hierad::model {

class FlowStepImpl : public torch::nn::Module {
 public:
  FlowStepImpl(std::int64_t channels, std::int64_t hidden, CouplingKind coupling,
               PermutationKind permutation);

  FlowResult forward(const at::Tensor& x);
  at::Tensor reverse(const at::Tensor& y);
  FlowResult initialize(const at::Tensor& x, const AllReduceSum& reduce);

  ActNorm actnorm{nullptr};
  std::shared_ptr<ChannelMixer> invconv;  // InvConvLUImpl or FixedPermutationImpl, as "invconv"
  Coupling coupling{nullptr};

 private:
  DerivedCache cache_;  // folded weight, bias and per-pixel log-det of the no-autograd path
};
TORCH_MODULE(FlowStep);

}  // namespace hierad::model
