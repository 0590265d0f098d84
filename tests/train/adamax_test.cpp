// Adamax against its closed form in float64, and exact resume from its saved state.
#include "src/train/adamax.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace hierad::train {
namespace {

at::Tensor make_param(std::vector<double> values) {
  return at::tensor(values, at::kDouble).set_requires_grad(true);
}

TEST(Adamax, MatchesTheClosedFormWithWeightDecay) {
  const AdamaxOptions o{/*lr=*/0.1, /*weight_decay=*/0.01, 0.9, 0.999, 1e-8};
  at::Tensor p = make_param({1.0, -2.0});
  Adamax optimizer({{"p", p}}, o);
  const std::vector<std::vector<double>> grads = {{0.5, -1.0}, {-0.25, 3.0}, {1.0, 0.0}};
  std::vector<double> ref = {1.0, -2.0}, m = {0, 0}, u = {0, 0};
  for (std::size_t t = 0; t < grads.size(); ++t) {
    p.mutable_grad() = at::tensor(grads[t], at::kDouble);
    optimizer.step(o.lr);
    for (int i = 0; i < 2; ++i) {
      const double g = grads[t][i] + o.weight_decay * ref[i];
      m[i] = o.beta1 * m[i] + (1 - o.beta1) * g;
      u[i] = std::max(o.beta2 * u[i], std::abs(g) + o.eps);
      ref[i] -= o.lr / (1 - std::pow(o.beta1, t + 1.0)) * m[i] / u[i];
    }
    EXPECT_NEAR(p[0].item<double>(), ref[0], 1e-15);
    EXPECT_NEAR(p[1].item<double>(), ref[1], 1e-15);
  }
  EXPECT_EQ(optimizer.steps_taken(), 3);
}

TEST(Adamax, ParametersWithoutGradientStayPut) {
  at::Tensor a = make_param({1.0}), b = make_param({2.0});
  Adamax optimizer({{"a", a}, {"b", b}}, {});
  a.mutable_grad() = at::ones_like(a);
  optimizer.step(0.1);
  EXPECT_NE(a.item<double>(), 1.0);
  EXPECT_EQ(b.item<double>(), 2.0);
}

TEST(Adamax, SavedStateResumesBitIdentically) {
  at::manual_seed(3);
  const at::Tensor init = at::randn({4, 3}, at::kFloat);
  std::vector<at::Tensor> grads;
  for (int i = 0; i < 6; ++i) grads.push_back(at::randn({4, 3}, at::kFloat));

  at::Tensor straight = init.clone().set_requires_grad(true);
  Adamax a({{"w", straight}}, {});
  for (int i = 0; i < 6; ++i) {
    straight.mutable_grad() = grads[i];
    a.step(1e-3);
  }

  at::Tensor first = init.clone().set_requires_grad(true);
  Adamax b({{"w", first}}, {});
  for (int i = 0; i < 3; ++i) {
    first.mutable_grad() = grads[i];
    b.step(1e-3);
  }
  std::map<std::string, at::Tensor> saved;
  for (const auto& [k, v] : b.state()) saved[k] = v.clone();

  at::Tensor resumed = first.detach().clone().set_requires_grad(true);
  Adamax c({{"w", resumed}}, {});
  c.load_state(saved);
  for (int i = 3; i < 6; ++i) {
    resumed.mutable_grad() = grads[i];
    c.step(1e-3);
  }
  EXPECT_TRUE(at::equal(resumed, straight));
  EXPECT_EQ(c.steps_taken(), 6);
}

TEST(Adamax, LoadStateNamesAMissingEntry) {
  at::Tensor w = make_param({1.0});
  Adamax optimizer({{"w", w}}, {});
  try {
    optimizer.load_state({{"step", at::scalar_tensor(1, at::kLong)}});
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "optimizer state has no entry 'w.exp_avg'");
  }
}

}  // namespace
}  // namespace hierad::train
