// Every layer on its own: inverse(forward(x)) == x in float32 with random weights, and its log-det
// equal to log|det J| from a brute-force autograd Jacobian in float64.
#include "src/model/actnorm.hpp"
#include "src/model/coupling.hpp"
#include "src/model/flow_step.hpp"
#include "src/model/invconv_lu.hpp"
#include "src/model/split_prior.hpp"
#include "src/model/squeeze.hpp"
#include "tests/model/model_test_util.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace hierad::model {
namespace {

using testing::brute_force_logdet;
using testing::max_abs_diff;
using testing::perturb;

// The tests run single-threaded: their tensors are tiny, and MKL's multithreaded LAPACK (QR, LU,
// slogdet) on tiny matrices costs up to ~0.1 s per call when the machine's 2 cores are shared.
const bool kSingleThreaded = [] {
  at::set_num_threads(1);
  return true;
}();

constexpr double kRoundTripTol = 1e-4;  // float32
constexpr double kLogDetTol = 1e-6;     // float64 brute force

// Round trip in float32, then the log-det against brute force in float64, of one layer.
template <typename Layer>
void check_layer(Layer& layer, std::vector<std::int64_t> shape) {
  const auto x = at::randn(shape);
  const auto fwd = layer->forward(x);
  ASSERT_EQ(fwd.y.sizes(), x.sizes());
  ASSERT_EQ(fwd.logdet.sizes(), at::IntArrayRef({shape[0]}));
  EXPECT_LT(max_abs_diff(layer->reverse(fwd.y), x), kRoundTripTol);

  layer->to(at::kDouble);
  const auto xd = at::randn(shape, at::kDouble);
  const auto expected = brute_force_logdet([&](const at::Tensor& v) { return layer->forward(v).y; }, xd);
  EXPECT_LT(max_abs_diff(layer->forward(xd).logdet, expected), kLogDetTol)
      << "analytic " << layer->forward(xd).logdet << " brute force " << expected;
}

TEST(Squeeze, ChannelIndexIsC4PlusDy2PlusDx) {
  const auto x = at::arange(2 * 3 * 4 * 6, at::kFloat).view({2, 3, 4, 6});
  const auto y = squeeze2d(x);
  ASSERT_EQ(y.sizes(), at::IntArrayRef({2, 12, 2, 3}));
  auto xa = x.accessor<float, 4>();
  auto ya = y.accessor<float, 4>();
  for (int n = 0; n < 2; ++n)
    for (int c = 0; c < 3; ++c)
      for (int dy = 0; dy < 2; ++dy)
        for (int dx = 0; dx < 2; ++dx)
          for (int i = 0; i < 2; ++i)
            for (int j = 0; j < 3; ++j)
              ASSERT_EQ(ya[n][c * 4 + dy * 2 + dx][i][j], xa[n][c][2 * i + dy][2 * j + dx]);
  EXPECT_TRUE(at::equal(unsqueeze2d(y), x));
  const auto r = Squeeze{}.forward(x);
  EXPECT_TRUE(at::equal(r.logdet, at::zeros({2})));
  EXPECT_THROW(squeeze2d(at::zeros({1, 1, 3, 4})), std::invalid_argument);
}

TEST(ActNorm, RoundTripAndLogDetOnImages) {
  ActNorm layer(3);
  perturb(*layer, 0.5);
  check_layer(layer, {2, 3, 2, 2});
}

TEST(ActNorm, RoundTripAndLogDetPerDimensionWithEps) {
  ActNorm layer(6, 1e-8);
  perturb(*layer, 0.5);
  check_layer(layer, {3, 6});
}

TEST(ActNorm, DataInitGivesZeroMeanUnitStdPerChannel) {
  ActNorm layer(4);
  // Channel 3 has |mean| >> std: the centred second pass keeps its std accurate.
  const auto shift = at::tensor({5.0f, -2.0f, 0.0f, 20.0f}).view({1, 4, 1, 1});
  const auto spread = at::tensor({3.0f, 0.1f, 1.0f, 0.05f}).view({1, 4, 1, 1});
  const auto x = at::randn({64, 4, 5, 5}) * spread + shift;
  EXPECT_FALSE(layer->is_initialized());
  const auto y = layer->initialize(x).y;
  EXPECT_TRUE(layer->is_initialized());
  const auto mean = y.mean({0, 2, 3});
  const auto std = y.std({0, 2, 3}, /*unbiased=*/true);
  EXPECT_LT(mean.abs().max().item<double>(), 1e-4) << mean;
  EXPECT_LT((std - 1).abs().max().item<double>(), 1e-4) << std;
  // loc = -mean, log_scale = -log(std) of the batch (unbiased N - 1 std, method.md §1); with
  // N = 64 * 25 the population std would be off by log(1600/1599) = 6.3e-4, far above the tolerance.
  const auto xd = x.to(at::kDouble);
  EXPECT_LT(max_abs_diff(layer->loc.to(at::kDouble), -xd.mean({0, 2, 3})), 1e-4);
  EXPECT_LT(max_abs_diff(layer->log_scale.to(at::kDouble), -xd.std({0, 2, 3}, /*unbiased=*/true).log()), 1e-5);
  EXPECT_GT(max_abs_diff(layer->log_scale.to(at::kDouble), -xd.std({0, 2, 3}, /*unbiased=*/false).log()), 3e-4);

  // Initialised once: a second initialize() leaves the parameters alone.
  const auto loc = layer->loc.clone();
  layer->initialize(at::randn({8, 4, 5, 5}));
  EXPECT_TRUE(at::equal(layer->loc, loc));
}

TEST(ActNorm, ConstantChannelUsesTheStdFloor) {
  ActNorm layer(2);
  auto x = at::randn({16, 2, 3, 3});
  x.select(1, 1).fill_(0.25);
  layer->initialize(x);
  EXPECT_NEAR(layer->log_scale[1].item<double>(), std::log(1e6), 1e-4);
  EXPECT_NEAR(layer->loc[1].item<double>(), -0.25, 1e-7);
}

TEST(ActNorm, RejectsWrongChannelCount) {
  ActNorm layer(3);
  try {
    layer->forward(at::zeros({2, 4, 2, 2}));
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("expected [N, 3"), std::string::npos) << e.what();
  }
}

TEST(InvConvLU, StartsAsARotationAndFactorsConsistently) {
  at::manual_seed(1);
  InvConvLUImpl layer(8);
  const auto w = layer.weight().to(at::kDouble);
  EXPECT_LT(max_abs_diff(w.matmul(w.t()), at::eye(8, at::kDouble)), 1e-5);
  perturb(layer, 0.3);
  const auto wp = layer.weight().to(at::kDouble);
  // log|det W| = sum(log_abs_s) (what the log-det uses) matches LAPACK's slogdet.
  EXPECT_NEAR(std::get<1>(at::linalg_slogdet(wp)).item<double>(), layer.logabsdet().item<double>(),
              1e-4);
  EXPECT_LT(max_abs_diff(layer.inverse_weight().to(at::kDouble).matmul(wp), at::eye(8, at::kDouble)),
            1e-4);
}

TEST(InvConvLU, RoundTripAndLogDet) {
  at::manual_seed(2);
  auto layer = std::make_shared<InvConvLUImpl>(6);
  perturb(*layer, 0.3);
  check_layer(layer, {2, 6, 2, 2});
}

TEST(FixedPermutation, RoundTripLogDetAndWeightAgree) {
  at::manual_seed(3);
  auto layer = std::make_shared<FixedPermutationImpl>(6);
  const auto x = at::randn({2, 6, 3, 3});
  const auto via_weight = at::conv2d(x, layer->weight().view({6, 6, 1, 1}));
  EXPECT_TRUE(at::allclose(layer->forward(x).y, via_weight));
  EXPECT_FALSE(at::equal(layer->forward(x).y, x));  // really permutes (seed 3)
  check_layer(layer, {2, 6, 2, 2});
}

TEST(Coupling, AffineRoundTripAndLogDet) {
  at::manual_seed(4);
  Coupling layer(4, 8, CouplingKind::affine);
  perturb(*layer, 0.2);
  check_layer(layer, {2, 4, 2, 2});
}

TEST(Coupling, AdditiveRoundTripAndZeroLogDet) {
  at::manual_seed(5);
  Coupling layer(4, 8, CouplingKind::additive);
  perturb(*layer, 0.2);
  const auto x = at::randn({2, 4, 3, 3});
  EXPECT_TRUE(at::equal(layer->forward(x).logdet, at::zeros({2})));
  EXPECT_FALSE(at::allclose(layer->forward(x).y, x));
  check_layer(layer, {2, 4, 2, 2});
}

TEST(Coupling, IdentityUpToSigmoidTwoAtInit) {
  at::manual_seed(6);
  Coupling layer(6, 16, CouplingKind::affine);
  const auto x = at::randn({3, 6, 4, 4});
  const auto r = layer->forward(x);
  const double s = 1.0 / (1.0 + std::exp(-2.0));
  EXPECT_TRUE(at::allclose(r.y.narrow(1, 0, 3), x.narrow(1, 0, 3)));
  EXPECT_LT(max_abs_diff(r.y.narrow(1, 3, 3), x.narrow(1, 3, 3) * s), 1e-6);
  EXPECT_LT(max_abs_diff(r.logdet, at::full({3}, 3 * 16 * std::log(s))), 1e-4);
}

// Pins the method's conventions: x_a = first half kept, t = o[:, 0::2], r = o[:, 1::2].
TEST(Coupling, UsesInterleavedShiftAndScaleOfTheFirstHalf) {
  at::manual_seed(7);
  Coupling layer(4, 8, CouplingKind::affine);
  perturb(*layer, 0.3);
  const auto x = at::randn({2, 4, 3, 3});
  const auto o = layer->net->forward(x.narrow(1, 0, 2));
  const auto t = o.slice(1, 0, 4, 2), r = o.slice(1, 1, 4, 2);
  const auto s = at::sigmoid(r + 2);
  const auto r_out = layer->forward(x);
  EXPECT_LT(max_abs_diff(r_out.y.narrow(1, 2, 2), (x.narrow(1, 2, 2) + t) * s), 1e-6);
  EXPECT_LT(max_abs_diff(r_out.logdet, s.log().sum({1, 2, 3})), 1e-5);
}

// The folded network equals conv3x3 -> ActNorm -> ReLU -> conv1x1 -> ActNorm -> ReLU -> zero conv
// * exp(3 logs) computed layer by layer.
TEST(CouplingNet, FoldedEqualsLayerByLayer) {
  at::manual_seed(8);
  CouplingNet net(3, 16, 6);
  perturb(*net, 0.3);
  const auto x = at::randn({2, 3, 5, 5});
  auto h = net->actnorm1->forward(at::conv2d(x, net->conv1->weight, {}, 1, 1)).y.relu();
  h = net->actnorm2->forward(at::conv2d(h, net->conv2->weight)).y.relu();
  const auto expected = at::conv2d(h, net->zero_conv->weight, net->zero_conv->bias, 1, 1) *
                        (3 * net->zero_logs).exp().view({1, -1, 1, 1});
  EXPECT_LT(max_abs_diff(net->forward(x), expected), 1e-5);
  const auto grouped = net->forward_grouped(x);
  EXPECT_LT(max_abs_diff(grouped.narrow(1, 0, 3), expected.slice(1, 0, 6, 2)), 1e-5);
  EXPECT_LT(max_abs_diff(grouped.narrow(1, 3, 3), expected.slice(1, 1, 6, 2)), 1e-5);
  {
    at::NoGradGuard no_grad;  // the cached path gives the same
    EXPECT_LT(max_abs_diff(net->forward(x), expected), 1e-5);
  }
}

TEST(CouplingNet, ZeroConvInitAndWeightStd) {
  at::manual_seed(9);
  CouplingNet net(6, 256, 12);
  EXPECT_TRUE(at::equal(net->zero_conv->weight, at::zeros_like(net->zero_conv->weight)));
  EXPECT_TRUE(at::equal(net->zero_conv->bias, at::zeros({12})));
  EXPECT_NEAR(net->conv2->weight.std().item<double>(), 0.05, 0.002);
  EXPECT_NEAR(net->conv1->weight.std().item<double>(), 0.05, 0.002);
  EXPECT_FALSE(net->conv1->options.bias());
  EXPECT_FALSE(net->conv2->options.bias());
}

class FlowStepTest : public ::testing::TestWithParam<std::tuple<CouplingKind, PermutationKind>> {};

TEST_P(FlowStepTest, RoundTripLogDetAndFoldEqualsComposition) {
  at::manual_seed(10);
  const auto [coupling, permutation] = GetParam();
  FlowStep step(4, 8, coupling, permutation);
  perturb(*step, 0.2);
  const auto x = at::randn({2, 4, 3, 3});
  const auto a = step->actnorm->forward(x);
  const auto m = step->invconv->forward(a.y);
  const auto c = step->coupling->forward(m.y);
  const auto fused = step->forward(x);
  EXPECT_LT(max_abs_diff(fused.y, c.y), 1e-5);
  EXPECT_LT(max_abs_diff(fused.logdet, a.logdet + m.logdet + c.logdet), 1e-4);
  check_layer(step, {2, 4, 2, 2});
}

INSTANTIATE_TEST_SUITE_P(Kinds, FlowStepTest,
                         ::testing::Combine(::testing::Values(CouplingKind::affine,
                                                              CouplingKind::additive),
                                            ::testing::Values(PermutationKind::lu,
                                                              PermutationKind::fixed)));

TEST(Prior, RoundTripLogDetAndGaussianTerm) {
  at::manual_seed(11);
  Prior prior(2, 2, 2);
  perturb(*prior, 0.5);
  check_layer(prior, {3, 2, 2, 2});
  const auto z = at::randn({3, 2, 2, 2}, at::kDouble);
  const auto expected = (-0.5 * z.square() - 0.5 * std::log(2 * M_PI)).sum({1, 2, 3});
  EXPECT_LT(max_abs_diff(standard_normal_log_prob(z), expected), 1e-12);
}

TEST(Split, FirstHalfLeaves) {
  const auto h = at::arange(2 * 4 * 2 * 2, at::kFloat).view({2, 4, 2, 2});
  const auto [leaving, continuing] = split_channels(h);
  EXPECT_TRUE(at::equal(leaving, h.narrow(1, 0, 2)));
  EXPECT_TRUE(at::equal(continuing, h.narrow(1, 2, 2)));
  EXPECT_TRUE(at::equal(merge_channels(leaving, continuing), h));
}

}  // namespace
}  // namespace hierad::model
