// Adamax on flat buffers against its closed form in float64, the masked (skipped) step, and exact
// resume from its saved state.
#include "src/train/adamax.hpp"
#include "src/train/gradient_check.hpp"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

namespace hierad::train {
namespace {

using distributed::FlatParameters;

at::Tensor make_param(std::vector<double> values) {
  return at::tensor(values, at::kDouble).set_requires_grad(true);
}

// Parameters with their flat buffers and optimizer, as the trainer sets them up.
struct OptimizerSetup {
  std::vector<at::Tensor> params;
  std::unique_ptr<FlatParameters> flat;
  std::unique_ptr<Adamax> optimizer;
  OptimizerSetup(std::vector<at::Tensor> p, std::vector<std::string> names, AdamaxOptions o = {})
      : params(std::move(p)),
        flat(std::make_unique<FlatParameters>(params)),
        optimizer(std::make_unique<Adamax>(*flat, std::move(names), o)) {}
  void set_grad(std::size_t i, const at::Tensor& g) {
    at::NoGradGuard no_grad;
    params[i].mutable_grad().copy_(g);
  }
};

TEST(Adamax, MatchesTheClosedFormWithWeightDecay) {
  const AdamaxOptions o{/*lr=*/0.1, /*weight_decay=*/0.01, 0.9, 0.999, 1e-8};
  OptimizerSetup s({make_param({1.0, -2.0})}, {"p"}, o);
  const at::Tensor& p = s.params[0];
  const std::vector<std::vector<double>> grads = {{0.5, -1.0}, {-0.25, 3.0}, {1.0, 0.0}};
  std::vector<double> ref = {1.0, -2.0}, m = {0, 0}, u = {0, 0};
  for (std::size_t t = 0; t < grads.size(); ++t) {
    s.set_grad(0, at::tensor(grads[t], at::kDouble));
    s.optimizer->step(o.lr);
    s.optimizer->zero_grad();
    for (int i = 0; i < 2; ++i) {
      const double g = grads[t][i] + o.weight_decay * ref[i];
      m[i] = o.beta1 * m[i] + (1 - o.beta1) * g;
      u[i] = std::max(o.beta2 * u[i], std::abs(g) + o.eps);
      ref[i] -= o.lr / (1 - std::pow(o.beta1, t + 1.0)) * m[i] / u[i];
    }
    EXPECT_NEAR(p[0].item<double>(), ref[0], 1e-15);
    EXPECT_NEAR(p[1].item<double>(), ref[1], 1e-15);
  }
  EXPECT_EQ(s.optimizer->steps_taken(), 3);
}

TEST(Adamax, ASkippedStepLeavesParametersMomentsAndStepCountBitIdentical) {
  at::manual_seed(5);
  OptimizerSetup s({at::randn({3, 4}).set_requires_grad(true), at::randn({7}).set_requires_grad(true)}, {"a", "b"});
  for (int i = 0; i < 3; ++i) {  // some state first
    s.set_grad(0, at::randn({3, 4}));
    s.set_grad(1, at::randn({7}));
    s.optimizer->step(1e-2, at::zeros({}, at::kBool));
    s.optimizer->zero_grad();
  }
  std::map<std::string, at::Tensor> before;
  for (const auto& [k, v] : s.optimizer->state()) before[k] = v.clone();
  const at::Tensor a = s.params[0].detach().clone(), b = s.params[1].detach().clone();

  s.set_grad(0, at::full({3, 4}, std::numeric_limits<float>::quiet_NaN()));
  s.set_grad(1, at::randn({7}));
  const GradientCheck check = check_and_clip(*s.flat, 0.0);
  EXPECT_TRUE(check.non_finite.item<bool>());
  s.optimizer->step(1e-2, check.non_finite);
  s.optimizer->zero_grad();

  EXPECT_TRUE(at::equal(s.params[0], a));
  EXPECT_TRUE(at::equal(s.params[1], b));
  for (const auto& [k, v] : s.optimizer->state()) EXPECT_TRUE(at::equal(v, before[k])) << k;
  EXPECT_EQ(s.optimizer->steps_taken(), 3);
  // The next finite step continues as if the skipped one had never been.
  s.set_grad(0, at::ones({3, 4}));
  s.set_grad(1, at::ones({7}));
  s.optimizer->step(1e-2, check_and_clip(*s.flat, 0.0).non_finite);
  EXPECT_EQ(s.optimizer->steps_taken(), 4);
  EXPECT_FALSE(at::equal(s.params[0], a));
}

TEST(Adamax, MaskedAndUnmaskedStepsAgreeBitForBit) {
  at::manual_seed(6);
  const at::Tensor init = at::randn({10}), grad = at::randn({10});
  OptimizerSetup masked({init.clone().set_requires_grad(true)}, {"w"});
  OptimizerSetup plain({init.clone().set_requires_grad(true)}, {"w"});
  for (int i = 0; i < 3; ++i) {
    masked.set_grad(0, grad * (i + 1));
    plain.set_grad(0, grad * (i + 1));
    masked.optimizer->step(1e-3, at::zeros({}, at::kBool));
    plain.optimizer->step(1e-3);
    masked.optimizer->zero_grad();
    plain.optimizer->zero_grad();
  }
  EXPECT_TRUE(at::equal(masked.params[0], plain.params[0]));
}

TEST(Adamax, SavedStateResumesBitIdentically) {
  at::manual_seed(3);
  const at::Tensor init = at::randn({4, 3}, at::kFloat);
  std::vector<at::Tensor> grads;
  for (int i = 0; i < 6; ++i) grads.push_back(at::randn({4, 3}, at::kFloat));

  OptimizerSetup straight({init.clone().set_requires_grad(true)}, {"w"});
  for (int i = 0; i < 6; ++i) {
    straight.set_grad(0, grads[i]);
    straight.optimizer->step(1e-3, at::zeros({}, at::kBool));
    straight.optimizer->zero_grad();
  }

  OptimizerSetup first({init.clone().set_requires_grad(true)}, {"w"});
  for (int i = 0; i < 3; ++i) {
    first.set_grad(0, grads[i]);
    first.optimizer->step(1e-3, at::zeros({}, at::kBool));
    first.optimizer->zero_grad();
  }
  std::map<std::string, at::Tensor> saved;
  for (const auto& [k, v] : first.optimizer->state()) saved[k] = v.clone();

  OptimizerSetup resumed({first.params[0].detach().clone().set_requires_grad(true)}, {"w"});
  resumed.optimizer->load_state(saved);
  for (int i = 3; i < 6; ++i) {
    resumed.set_grad(0, grads[i]);
    resumed.optimizer->step(1e-3, at::zeros({}, at::kBool));
    resumed.optimizer->zero_grad();
  }
  EXPECT_TRUE(at::equal(resumed.params[0], straight.params[0]));
  EXPECT_EQ(resumed.optimizer->steps_taken(), 6);
}

TEST(Adamax, LoadStateNamesAMissingEntry) {
  OptimizerSetup s({make_param({1.0})}, {"w"});
  try {
    s.optimizer->load_state({{"step", at::scalar_tensor(1, at::kLong)}});
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "optimizer state has no entry 'w.exp_avg'");
  }
}

TEST(GradientCheck, NormOverEveryGradientAndClipping) {
  OptimizerSetup s({make_param({0, 0}), make_param({0})}, {"a", "b"});
  s.set_grad(0, at::tensor({3.0, 0.0}, at::kDouble));
  s.set_grad(1, at::tensor({4.0}, at::kDouble));
  GradientCheck check = check_and_clip(*s.flat, 0.0);
  EXPECT_FLOAT_EQ(check.norm.item<float>(), 5.0f);
  EXPECT_FALSE(check.non_finite.item<bool>());
  check = check_and_clip(*s.flat, 10.0);  // below the limit: untouched
  EXPECT_EQ(s.params[1].grad().item<double>(), 4.0);
  check = check_and_clip(*s.flat, 1.0);   // scaled to norm 1
  EXPECT_FLOAT_EQ(check.norm.item<float>(), 5.0f);
  EXPECT_NEAR(s.params[0].grad()[0].item<double>(), 0.6, 1e-6);
  EXPECT_NEAR(s.params[1].grad()[0].item<double>(), 0.8, 1e-6);
  s.set_grad(1, at::tensor({std::numeric_limits<double>::infinity()}, at::kDouble));
  EXPECT_TRUE(check_and_clip(*s.flat, 0.0).non_finite.item<bool>());
}

}  // namespace
}  // namespace hierad::train
