#include "src/model/scale.hpp"

#include "src/model/squeeze.hpp"

#include <ATen/ATen.h>

#include <string>

namespace hierad::model {

ScaleImpl::ScaleImpl(std::int64_t in_channels, std::int64_t size, bool last,
                     const GlowOptions& options)
    : last_(last) {
  const auto channels = in_channels * 4;
  const auto half_size = size / 2;
  for (int i = 0; i < options.steps; ++i) {
    steps.push_back(register_module(
        "step_" + std::to_string(i),
        FlowStep(channels, options.hidden, options.coupling, options.permutation)));
  }
  latent_shape_ = {last ? channels : channels / 2, half_size, half_size};
  prior = register_module("prior", Prior(latent_shape_[0], latent_shape_[1], latent_shape_[2]));
}

std::int64_t ScaleImpl::leaving_dims() const {
  return latent_shape_[0] * latent_shape_[1] * latent_shape_[2];
}

ScaleResult ScaleImpl::finish(const at::Tensor& h, const at::Tensor& flow_logdet,
                              const FlowResult& p) const {
  ScaleResult r;
  if (!last_) r.next = split_channels(h).second;
  r.latent = p.y;
  r.flow_logdet = flow_logdet;
  r.prior_logdet = p.logdet;
  r.gaussian_logp = standard_normal_log_prob(p.y);
  return r;
}

ScaleResult ScaleImpl::forward(const at::Tensor& x) {
  auto h = squeeze2d(x);
  at::Tensor flow_logdet = at::zeros({x.size(0)}, x.options());
  for (auto& step : steps) {
    auto s = step->forward(h);
    h = s.y;
    flow_logdet = flow_logdet + s.logdet;
  }
  const auto leaving = last_ ? h : split_channels(h).first;
  return finish(h, flow_logdet, prior->forward(leaving));
}

ScaleResult ScaleImpl::initialize(const at::Tensor& x, const AllReduceSum& reduce) {
  auto h = squeeze2d(x);
  at::Tensor flow_logdet = at::zeros({x.size(0)}, x.options());
  for (auto& step : steps) {
    auto s = step->initialize(h, reduce);
    h = s.y;
    flow_logdet = flow_logdet + s.logdet;
  }
  const auto leaving = last_ ? h : split_channels(h).first;
  return finish(h, flow_logdet, prior->initialize(leaving, reduce));
}

at::Tensor ScaleImpl::reverse(const at::Tensor& latent, const at::Tensor& next) {
  auto h = prior->reverse(latent);
  if (!last_) h = merge_channels(h, next);
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) h = (*it)->reverse(h);
  return unsqueeze2d(h);
}

}  // namespace hierad::model
