// The whole multi-scale Glow: round trip, log p by brute-force change of variables, the per-scale
// decomposition, shapes and names of the default model, sampling.
#include "src/model/glow.hpp"
#include "src/model/squeeze.hpp"
#include "tests/model/model_test_util.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace hierad::model {
namespace {

using testing::brute_force_logdet;
using testing::max_abs_diff;
using testing::perturb;
using testing::test_images;
using testing::tiny_options;

// A data-initialised tiny Glow, optionally with random weights: every parameter perturbed by
// N(0, 0.03^2) after the init (zero convs become non-zero, LU factors and ActNorms move).
Glow make_glow(const GlowOptions& options, std::uint64_t seed, bool random_weights = true) {
  at::manual_seed(seed);
  Glow glow(options);
  glow->initialize(test_images(32, options.in_channels, options.image_size));
  if (random_weights) perturb(*glow, 0.03);
  return glow;
}
Glow random_glow(const GlowOptions& options, std::uint64_t seed) { return make_glow(options, seed); }

class GlowRoundTrip : public ::testing::TestWithParam<std::tuple<CouplingKind, PermutationKind>> {};

TEST_P(GlowRoundTrip, InverseOfForwardIsIdentity) {
  auto options = tiny_options(3, 8, 3, 2, 16);
  std::tie(options.coupling, options.permutation) = GetParam();
  auto glow = random_glow(options, 20);
  const auto x = test_images(4, 3, 8);
  const auto record = glow->forward(x);
  ASSERT_EQ(record.latents.size(), 3u);
  EXPECT_LT(max_abs_diff(glow->reverse(record.latents), x), 1e-4);
  // The weights really are random: the latents are far from those of the initial model.
  auto initial = make_glow(options, 20, /*random_weights=*/false);
  EXPECT_GT(max_abs_diff(initial->forward(x).latents[0], record.latents[0]), 0.5);
}

INSTANTIATE_TEST_SUITE_P(Kinds, GlowRoundTrip,
                         ::testing::Combine(::testing::Values(CouplingKind::affine,
                                                              CouplingKind::additive),
                                            ::testing::Values(PermutationKind::lu,
                                                              PermutationKind::fixed)));

// log p(x) = sum_k log N(z_k) + log|det dz/dx|, with the Jacobian of all latents together
// (float64 autograd), for an RGB and a grey tiny Glow.
TEST(Glow, LogPEqualsBruteForceChangeOfVariables) {
  for (const auto& options : {tiny_options(3, 4, 2, 2, 8), tiny_options(1, 8, 3, 2, 8)}) {
    auto glow = random_glow(options, 21);
    glow->to(at::kDouble);
    const auto x = test_images(3, options.in_channels, options.image_size, at::kDouble);
    const auto all_latents = [&](const at::Tensor& v) {
      std::vector<at::Tensor> flat;
      for (const auto& z : glow->forward(v).latents) flat.push_back(z.reshape({v.size(0), -1}));
      return at::cat(flat, 1);
    };
    const auto z = all_latents(x);
    ASSERT_EQ(z.size(1), options.dims());
    const auto expected = brute_force_logdet(all_latents, x) +
                          (-0.5 * z.square() - 0.5 * std::log(2 * M_PI)).sum(1);
    const auto record = glow->forward(x);
    EXPECT_LT(max_abs_diff(record.log_p, expected), 1e-6)
        << "C=" << options.in_channels << " log p " << record.log_p << " brute " << expected;
  }
}

TEST(Glow, ScaleTermsAddUpAndBitsPerDim) {
  const auto options = tiny_options(3, 8, 3, 2, 16);
  auto glow = random_glow(options, 22);
  const auto x = test_images(5, 3, 8);
  const auto r = glow->forward(x);
  for (const auto* t : {&r.flow_logdet, &r.prior_logdet, &r.gaussian_logp, &r.scale_logp}) {
    ASSERT_EQ(t->sizes(), at::IntArrayRef({5, 3}));
  }
  EXPECT_LT(max_abs_diff(r.scale_logp, r.flow_logdet + r.prior_logdet + r.gaussian_logp), 1e-3);
  EXPECT_LT(max_abs_diff(r.scale_logp.sum(1), r.log_p), 1e-3);
  const double d = 3 * 8 * 8;
  EXPECT_LT(max_abs_diff(r.bpd, 8.0 - r.log_p / (d * std::log(2.0))), 1e-6);
  // G_k is the standard normal log-density of z_k, A_k the prior ActNorm's log-det.
  for (int k = 0; k < 3; ++k) {
    const auto z = r.latents[k].reshape({5, -1}).to(at::kDouble);
    const auto g = (-0.5 * z.square() - 0.5 * std::log(2 * M_PI)).sum(1);
    EXPECT_LT(max_abs_diff(r.gaussian_logp.select(1, k).to(at::kDouble), g), 1e-3);
    const auto& prior = glow->scales[k]->prior->actnorm;
    const auto a = (prior->log_scale.exp() + 1e-8).log().sum();
    EXPECT_LT(max_abs_diff(r.prior_logdet.select(1, k), a.expand({5})), 1e-3);
  }
}

// Pins the split convention: at every scale the FIRST half of the channels leaves (through the
// prior ActNorm) and the SECOND half continues.
TEST(Glow, FirstHalfLeavesSecondHalfContinues) {
  const auto options = tiny_options(3, 8, 3, 1, 8);
  auto glow = random_glow(options, 25);
  const auto x = test_images(2, 3, 8);
  const auto record = glow->forward(x);
  at::Tensor h = x;
  for (int k = 0; k < 3; ++k) {
    auto& scale = glow->scales[k];
    h = squeeze2d(h);
    for (auto& step : scale->steps) h = step->forward(h).y;
    const bool last = k == 2;
    const auto half = h.size(1) / 2;
    const auto leaving = last ? h : h.narrow(1, 0, half);
    EXPECT_LT(max_abs_diff(scale->prior->forward(leaving).y, record.latents[k]), 1e-5) << k;
    if (!last) h = h.narrow(1, half, half);
  }
}

TEST(Glow, DefaultModelShapesAndParameterCount) {
  const GlowOptions options;  // L = 3, K = 32, hidden 512, RGB 32x32: constructed, never run
  EXPECT_EQ(options.scales, 3);
  EXPECT_EQ(options.steps, 32);
  EXPECT_EQ(options.hidden, 512);
  Glow glow(options);
  std::vector<std::int64_t> leaving;
  for (const auto& s : glow->scales) leaving.push_back(s->leaving_dims());
  EXPECT_EQ(leaving, (std::vector<std::int64_t>{1536, 768, 768}));
  const auto shapes = glow->latent_shapes();
  EXPECT_EQ(shapes[0], (std::array<std::int64_t, 3>{6, 16, 16}));
  EXPECT_EQ(shapes[1], (std::array<std::int64_t, 3>{12, 8, 8}));
  EXPECT_EQ(shapes[2], (std::array<std::int64_t, 3>{48, 4, 4}));
  const auto count = parameter_count(*glow);
  EXPECT_EQ(count, parameter_count(options));
  std::printf("default Glow: %lld parameters\n", static_cast<long long>(count));
  auto additive = tiny_options(1, 16, 2, 3, 7);
  additive.coupling = CouplingKind::additive;
  additive.permutation = PermutationKind::fixed;
  EXPECT_EQ(parameter_count(*Glow(additive)), parameter_count(additive));
}

TEST(Glow, StableParameterAndBufferNames) {
  Glow glow(tiny_options(1, 4, 2, 1, 4));
  std::set<std::string> params, buffers;
  for (const auto& p : glow->named_parameters()) params.insert(p.key());
  for (const auto& b : glow->named_buffers()) buffers.insert(b.key());
  std::set<std::string> expected_params, expected_buffers;
  for (const std::string s : {"scale_0", "scale_1"}) {
    const auto step = s + ".step_0.";
    for (const std::string p :
         {"actnorm.loc", "actnorm.log_scale", "invconv.lower", "invconv.upper",
          "invconv.log_abs_s", "coupling.net.conv1.weight", "coupling.net.actnorm1.loc",
          "coupling.net.actnorm1.log_scale", "coupling.net.conv2.weight",
          "coupling.net.actnorm2.loc", "coupling.net.actnorm2.log_scale",
          "coupling.net.zero_conv.weight", "coupling.net.zero_conv.bias",
          "coupling.net.zero_logs"}) {
      expected_params.insert(step + p);
    }
    for (const std::string b :
         {"actnorm.initialized", "invconv.permutation", "invconv.sign_s", "invconv.lower_mask",
          "invconv.upper_mask", "invconv.eye", "coupling.net.actnorm1.initialized",
          "coupling.net.actnorm2.initialized"}) {
      expected_buffers.insert(step + b);
    }
    expected_params.insert(s + ".prior.actnorm.loc");
    expected_params.insert(s + ".prior.actnorm.log_scale");
    expected_buffers.insert(s + ".prior.actnorm.initialized");
  }
  EXPECT_EQ(params, expected_params);
  EXPECT_EQ(buffers, expected_buffers);
}

TEST(Glow, SampleUsesTheTemperatureAndTheGenerator) {
  const auto options = tiny_options(3, 8, 2, 2, 16);
  auto glow = random_glow(options, 23);
  auto gen_a = at::make_generator<at::CPUGeneratorImpl>(99);
  auto gen_b = at::make_generator<at::CPUGeneratorImpl>(99);
  const auto a = glow->sample(3, 0.7, gen_a);
  const auto b = glow->sample(3, 0.7, gen_b);
  ASSERT_EQ(a.sizes(), at::IntArrayRef({3, 3, 8, 8}));
  EXPECT_TRUE(at::equal(a, b));
  // The latents of a sample are the generator's normals times the temperature.
  auto gen_c = at::make_generator<at::CPUGeneratorImpl>(99);
  const auto shapes = glow->latent_shapes();
  at::NoGradGuard no_grad;
  const auto record = glow->forward(a);
  for (std::size_t k = 0; k < shapes.size(); ++k) {
    const auto z = at::randn({3, shapes[k][0], shapes[k][1], shapes[k][2]}, gen_c);
    EXPECT_LT(max_abs_diff(record.latents[k], 0.7 * z), 1e-3) << "scale " << k;
  }
  EXPECT_THROW(glow->sample(1, -1.0), std::invalid_argument);
}

TEST(Glow, GradientsReachEveryParameter) {
  const auto options = tiny_options(3, 8, 2, 2, 16);
  auto glow = random_glow(options, 24);
  glow->forward(test_images(4, 3, 8)).bpd.mean().backward();
  for (const auto& p : glow->named_parameters()) {
    ASSERT_TRUE(p.value().grad().defined()) << p.key();
    EXPECT_TRUE(p.value().grad().isfinite().all().item<bool>()) << p.key();
    EXPECT_GT(p.value().grad().abs().sum().item<double>(), 0.0) << p.key();
  }
}

TEST(Glow, RejectsBadOptionsAndInputs) {
  auto bad = tiny_options(3, 12, 3, 1, 4);  // 12 is not divisible by 2^3
  EXPECT_THROW(Glow{bad}, std::invalid_argument);
  bad = tiny_options(3, 8, 0, 1, 4);
  EXPECT_THROW(bad.validate(), std::invalid_argument);
  Glow glow(tiny_options(3, 8, 2, 1, 4));
  try {
    glow->forward(at::zeros({2, 1, 8, 8}));
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("expected images [N, 3, 8, 8]"), std::string::npos);
  }
  EXPECT_THROW(glow->forward(at::zeros({2, 3, 8, 8}, at::kByte)), std::invalid_argument);
  EXPECT_THROW(glow->reverse({at::zeros({1, 6, 4, 4})}), std::invalid_argument);
}

}  // namespace
}  // namespace hierad::model
