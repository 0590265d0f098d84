// The scoring pipeline's model side must give exactly the model's numbers: packed_terms is the
// bin-centre dequantisation and GlowImpl::score, laid out as PackedLayout says, in float64; the
// CPU fallback of the CUDA-graph forward is the eager one.
#include "src/model/glow.hpp"
#include "src/score/scoring_forward.hpp"
#include "tests/model/model_test_util.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

namespace hierad::score {
namespace {

TEST(ScoringForward, PackedTermsAreTheModelsRecordBitForBit) {
  at::manual_seed(11);
  model::Glow glow(model::testing::tiny_options(3, 16, 2, 2, 16));
  glow->initialize(model::testing::test_images(16, 3, 16));
  model::testing::perturb(*glow, 0.05);
  const auto pixels = at::randint(0, 256, {7, 3, 16, 16}, at::kByte);
  const auto packed = packed_terms(*glow, pixels);

  // The same images, dequantised by hand: v/256 - 0.5 + 1/512.
  const auto x = pixels.to(at::kFloat) / 256.0 - 0.5 + 1.0 / 512.0;
  const auto r = glow->score(x);
  const PackedLayout at{7, 2};
  ASSERT_EQ(packed.numel(), at.size());
  ASSERT_EQ(packed.scalar_type(), at::kDouble);
  const auto part = [&](std::int64_t offset, std::int64_t n) { return packed.slice(0, offset, offset + n); };
  EXPECT_TRUE(at::equal(part(at.log_p(), 7), r.log_p.to(at::kDouble)));
  EXPECT_TRUE(at::equal(part(at.bpd(), 7), r.bpd.to(at::kDouble)));
  EXPECT_TRUE(at::equal(part(at.F(), 14).view({7, 2}), r.flow_logdet.to(at::kDouble)));
  EXPECT_TRUE(at::equal(part(at.A(), 14).view({7, 2}), r.prior_logdet.to(at::kDouble)));
  EXPECT_TRUE(at::equal(part(at.G(), 14).view({7, 2}), r.gaussian_logp.to(at::kDouble)));
  EXPECT_TRUE(at::equal(part(at.lp(), 14).view({7, 2}), r.scale_logp.to(at::kDouble)));
}

TEST(ScoringForward, CudaGraphForwardOnTheCpuIsTheEagerForward) {
  at::manual_seed(12);
  model::Glow glow(model::testing::tiny_options(1, 16, 2, 2, 8));
  glow->initialize(model::testing::test_images(8, 1, 16));
  auto graph = cuda_graph_forward(glow, 4);
  auto eager = eager_forward(glow);
  EXPECT_NE(graph->describe().find("eager"), std::string::npos) << graph->describe();
  const auto pixels = at::randint(0, 256, {4, 1, 16, 16}, at::kByte);
  EXPECT_TRUE(at::equal(graph->run(pixels), eager->run(pixels)));
}

}  // namespace
}  // namespace hierad::score
