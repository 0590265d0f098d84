#include "src/model/flow_step.hpp"

#include <ATen/ATen.h>

#include <stdexcept>
#include <string>

namespace hierad::model {

FlowStepImpl::FlowStepImpl(std::int64_t channels, std::int64_t hidden, CouplingKind coupling_kind,
                           PermutationKind permutation) {
  actnorm = register_module("actnorm", ActNorm(channels));
  if (permutation == PermutationKind::lu) {
    invconv = register_module("invconv", std::make_shared<InvConvLUImpl>(channels));
  } else {
    invconv = register_module("invconv", std::make_shared<FixedPermutationImpl>(channels));
  }
  coupling = register_module("coupling", Coupling(channels, hidden, coupling_kind));
}

FlowResult FlowStepImpl::forward(const at::Tensor& x) {
  const auto channels = actnorm->channels();
  if (x.dim() != 4 || x.size(1) != channels) {
    throw std::invalid_argument("FlowStep: expected [N, " + std::to_string(channels) +
                                ", H, W], got " + c10::str(x.sizes()));
  }
  auto src = invconv->sources();
  src.push_back(actnorm->loc);
  src.push_back(actnorm->log_scale);
  // {W diag(e) as a [C, C, 1, 1] kernel, its bias W diag(e) loc, the log-det of one pixel}.
  const auto fold = [&] {
    const auto e = actnorm->scale();
    const auto w = invconv->weight().to(e.scalar_type()) * e.unsqueeze(0);
    return std::vector<at::Tensor>{w.view({channels, channels, 1, 1}), w.mv(actnorm->loc),
                                   e.log().sum() + invconv->logabsdet().to(e.scalar_type())};
  };
  std::vector<at::Tensor> f;
  if (needs_autograd(src)) {
    f = fold();
  } else {
    if (!cache_.valid(src)) cache_.store(src, fold());
    f = {cache_[0], cache_[1], cache_[2]};
  }
  const double pixels = static_cast<double>(x.size(2) * x.size(3));
  auto c = coupling->forward(at::conv2d(x, f[0], f[1]));
  return {c.y, c.logdet + f[2] * pixels};
}

at::Tensor FlowStepImpl::reverse(const at::Tensor& y) {
  return actnorm->reverse(invconv->reverse(coupling->reverse(y)));
}

FlowResult FlowStepImpl::initialize(const at::Tensor& x, const AllReduceSum& reduce) {
  const auto a = actnorm->initialize(x, reduce);
  const auto m = invconv->forward(a.y);
  const auto c = coupling->initialize(m.y, reduce);
  return {c.y, a.logdet + m.logdet + c.logdet};
}

}  // namespace hierad::model
