#include "src/score/scoring_forward.hpp"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <utility>

namespace hierad::score {

at::Tensor packed_terms(model::GlowImpl& glow, const at::Tensor& pixels) {
  c10::InferenceMode inference;
  // v/256 - 0.5 + 1/512: every term and the result are exact in float32.
  const at::Tensor x = pixels.to(at::kFloat).div_(256.0).add_(-0.5 + 1.0 / 512.0);
  const model::LikelihoodRecord r = glow.forward(x);
  return at::cat({r.log_p.reshape({-1}), r.bpd.reshape({-1}), r.flow_logdet.reshape({-1}),
                  r.prior_logdet.reshape({-1}), r.gaussian_logp.reshape({-1}), r.scale_logp.reshape({-1})})
      .to(at::kDouble);
}

namespace {

class EagerForward final : public ScoringForward {
 public:
  explicit EagerForward(model::Glow glow, std::string why = {}) : glow_(std::move(glow)), why_(std::move(why)) {}
  at::Tensor run(const at::Tensor& pixels) override { return packed_terms(*glow_, pixels); }
  std::string describe() const override { return why_.empty() ? "eager" : "eager (" + why_ + ")"; }

 private:
  model::Glow glow_;
  std::string why_;
};

}  // namespace

std::unique_ptr<ScoringForward> eager_forward(model::Glow glow) {
  return std::make_unique<EagerForward>(std::move(glow));
}

#ifndef HIERAD_WITH_CUDA
std::unique_ptr<ScoringForward> cuda_graph_forward(model::Glow glow, std::int64_t /*batch_size*/) {
  return std::make_unique<EagerForward>(std::move(glow), "this build has no CUDA");
}
#else
std::unique_ptr<ScoringForward> make_cuda_graph_forward(model::Glow glow, std::int64_t batch_size);

std::unique_ptr<ScoringForward> cuda_graph_forward(model::Glow glow, std::int64_t batch_size) {
  if (!glow->parameters().front().is_cuda()) {
    return std::make_unique<EagerForward>(std::move(glow), "CUDA graphs need a CUDA device");
  }
  return make_cuda_graph_forward(std::move(glow), batch_size);
}
#endif

}  // namespace hierad::score
