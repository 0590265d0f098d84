// Data-dependent init (identity up to sigmoid(2), standardised ActNorm outputs, reduction across
// ranks, never twice), the scoring path (weights cached per version, no autograd) and bf16.
#include "src/model/glow.hpp"
#include "src/model/squeeze.hpp"
#include "tests/model/model_test_util.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace hierad::model {
namespace {

using testing::max_abs_diff;
using testing::perturb;
using testing::test_images;
using testing::tiny_options;

void expect_standardised(const at::Tensor& y, std::vector<std::int64_t> dims, const char* what) {
  const auto mean = y.mean(dims).abs().max().item<double>();
  const auto std_err = (y.std(dims, /*unbiased=*/true) - 1).abs().max().item<double>();  // method.md §1
  EXPECT_LT(mean, 1e-4) << what;
  EXPECT_LT(std_err, 1e-3) << what;
}

TEST(GlowInit, ActNormOutputsAreStandardisedOnTheInitBatch) {
  at::manual_seed(30);
  const auto options = tiny_options(3, 8, 2, 2, 16);
  Glow glow(options);
  EXPECT_FALSE(glow->is_initialized());
  const auto batch = test_images(64, 3, 8);
  // 2 scales x (2 steps x 3 ActNorms + 1 prior)
  EXPECT_EQ(glow->initialize(batch), 14);
  EXPECT_TRUE(glow->is_initialized());
  at::NoGradGuard no_grad;
  // The first step's ActNorm, and the two inside its coupling network, on their actual inputs.
  auto& step = glow->scales[0]->steps[0];
  const auto a = step->actnorm->forward(squeeze2d(batch)).y;
  expect_standardised(a, {0, 2, 3}, "step_0.actnorm");
  const auto x_a = step->invconv->forward(a).y.narrow(1, 0, 6);
  auto& net = step->coupling->net;
  const auto h1 = net->actnorm1->forward(at::conv2d(x_a, net->conv1->weight, {}, 1, 1)).y;
  expect_standardised(h1, {0, 2, 3}, "coupling.net.actnorm1");
  const auto h2 = net->actnorm2->forward(at::conv2d(h1.relu(), net->conv2->weight)).y;
  expect_standardised(h2, {0, 2, 3}, "coupling.net.actnorm2");
  // The priors' per-dimension ActNorms: every latent dim has mean 0 and std 1 over the batch.
  const auto record = glow->forward(batch);
  for (const auto& z : record.latents) expect_standardised(z.reshape({64, -1}), {0}, "prior");
}

// At init every coupling is y_b = sigmoid(2) x_b, so F_k is known in closed form from the
// ActNorm and LU parameters alone.
TEST(GlowInit, CouplingsAreIdentityUpToSigmoidTwo) {
  at::manual_seed(31);
  const auto options = tiny_options(3, 8, 2, 3, 16);
  Glow glow(options);
  glow->initialize(test_images(32, 3, 8));
  const double log_s = std::log(1.0 / (1.0 + std::exp(-2.0)));
  const auto x = test_images(4, 3, 8);
  const auto record = glow->forward(x);
  for (int k = 0; k < 2; ++k) {
    auto& scale = glow->scales[k];
    const auto shape = scale->latent_shape();
    const double channels = static_cast<double>(k == 1 ? shape[0] : 2 * shape[0]);
    const double pixels = static_cast<double>(shape[1] * shape[2]);
    double expected = 0;
    for (auto& step : scale->steps) {
      expected += pixels * (step->actnorm->log_scale.sum().item<double>() +
                            step->invconv->logabsdet().item<double>());
      expected += channels / 2 * pixels * log_s;
      const auto h = at::randn({2, static_cast<std::int64_t>(channels), shape[1], shape[2]});
      const auto c = step->coupling->forward(h);
      const auto half = static_cast<std::int64_t>(channels / 2);
      EXPECT_TRUE(at::equal(c.y.narrow(1, 0, half), h.narrow(1, 0, half)));
      EXPECT_LT(max_abs_diff(c.y.narrow(1, half, half), h.narrow(1, half, half) * std::exp(log_s)),
                1e-6);
    }
    EXPECT_NEAR(record.flow_logdet[0][k].item<double>(), expected, 1e-3 * std::abs(expected));
  }
}

TEST(GlowInit, LoadedModelIsNeverReinitialised) {
  at::manual_seed(32);
  const auto options = tiny_options(3, 8, 2, 2, 16);
  Glow trained(options);
  trained->initialize(test_images(32, 3, 8));
  Glow loaded(options);
  {
    // What a checkpoint load does: copy every parameter and buffer by name.
    at::NoGradGuard no_grad;
    auto params = trained->named_parameters();
    for (auto& p : loaded->named_parameters()) p.value().copy_(params[p.key()]);
    auto buffers = trained->named_buffers();
    for (auto& b : loaded->named_buffers()) b.value().copy_(buffers[b.key()]);
  }
  EXPECT_TRUE(loaded->is_initialized());
  EXPECT_EQ(loaded->initialize(test_images(32, 3, 8) * 0.3 + 0.1), 0);
  auto params = trained->named_parameters();
  for (auto& p : loaded->named_parameters()) EXPECT_TRUE(at::equal(p.value(), params[p.key()])) << p.key();
}

// An in-process "allreduce" for two threads standing in for two ranks.
class TwoRankSum {
 public:
  void operator()(at::Tensor& t) {
    std::unique_lock<std::mutex> lock(mutex_);
    const int generation = generation_;
    if (arrived_ == 0) {
      first_ = t.clone();
      arrived_ = 1;
      done_.wait(lock, [&] { return generation_ != generation; });
    } else {
      sum_ = first_ + t;
      arrived_ = 0;
      ++generation_;
      done_.notify_all();
    }
    t.copy_(sum_);
    ++calls_;
  }
  int calls() const { return calls_; }

 private:
  std::mutex mutex_;
  std::condition_variable done_;
  at::Tensor first_, sum_;
  int arrived_ = 0, generation_ = 0, calls_ = 0;
};

// Two "ranks" each initialise on half of the batch with the statistics summed through the hook:
// they end with identical parameters, equal to those of one process that saw the whole batch.
TEST(GlowInit, StatisticsReducedAcrossRanksMatchTheGlobalBatch) {
  const auto options = tiny_options(3, 8, 2, 2, 16);
  at::manual_seed(33);
  const auto batch = test_images(32, 3, 8);
  std::vector<Glow> models;
  for (int i = 0; i < 3; ++i) {
    at::manual_seed(34);  // identical initial weights, as after a broadcast
    models.emplace_back(options);
  }
  models[2]->initialize(batch);
  TwoRankSum allreduce;
  const AllReduceSum reduce = [&](at::Tensor& t) { allreduce(t); };
  std::thread rank0([&] { models[0]->initialize(batch.narrow(0, 0, 16), reduce); });
  std::thread rank1([&] { models[1]->initialize(batch.narrow(0, 16, 16), reduce); });
  rank0.join();
  rank1.join();
  EXPECT_EQ(allreduce.calls(), 2 * 2 * 14);  // two ranks x two passes x 14 ActNorms
  auto p1 = models[1]->named_parameters();
  auto p2 = models[2]->named_parameters();
  for (const auto& p : models[0]->named_parameters()) {
    EXPECT_TRUE(at::equal(p.value(), p1[p.key()])) << p.key();
    EXPECT_LT(max_abs_diff(p.value(), p2[p.key()]), 1e-4 * (1 + p2[p.key()].abs().max().item<double>()))
        << p.key();
  }
}

// Scoring rebuilds each 1x1 conv weight from its LU factors at most once per parameter version.
TEST(GlowInference, WeightsBuiltOncePerParameterVersion) {
  at::manual_seed(35);
  const auto options = tiny_options(3, 8, 2, 3, 16);
  Glow glow(options);
  glow->initialize(test_images(32, 3, 8));
  perturb(*glow, 0.05);
  const auto x = test_images(4, 3, 8);
  const auto with_grad = glow->forward(x).log_p.detach();
  const std::int64_t steps = 2 * 3;
  at::Tensor first, second, third;
  const auto builds0 = glow->weight_builds();
  {
    at::NoGradGuard no_grad;
    first = glow->forward(x).log_p;
    EXPECT_EQ(glow->weight_builds() - builds0, steps);
    second = glow->forward(x).log_p;
    EXPECT_EQ(glow->weight_builds() - builds0, steps);
  }
  third = glow->score(x).log_p;
  EXPECT_EQ(glow->weight_builds() - builds0, steps);
  EXPECT_TRUE(third.is_inference());
  EXPECT_TRUE(at::equal(first, second));
  EXPECT_TRUE(at::equal(first, third));
  EXPECT_LT(max_abs_diff(first, with_grad), 1e-3);
  EXPECT_FALSE(first.requires_grad());

  // An optimizer-like in-place update of one step: only that step rebuilds, and the cached path
  // sees the new value.
  {
    at::NoGradGuard no_grad;
    auto lu = std::dynamic_pointer_cast<InvConvLUImpl>(glow->scales[1]->steps[2]->invconv);
    lu->log_abs_s.add_(0.01);
    const auto updated = glow->forward(x).log_p;
    EXPECT_EQ(glow->weight_builds() - builds0, steps + 1);
    EXPECT_GT((updated - first).abs().min().item<double>(), 0.0);
    // ActNorm or coupling updates invalidate the folded weights too.
    glow->scales[0]->steps[0]->coupling->net->zero_logs.add_(0.1);
    glow->scales[0]->steps[1]->actnorm->loc.add_(0.1);
    const auto cached = glow->forward(x).log_p;
    at::AutoGradMode grad(true);
    EXPECT_LT(max_abs_diff(cached, glow->forward(x).log_p.detach()), 1e-3);
  }
  // Moving the model (here to float64) invalidates the cache as well.
  glow->to(at::kDouble);
  at::NoGradGuard no_grad;
  const auto as_double = glow->forward(x.to(at::kDouble)).log_p;
  EXPECT_EQ(as_double.scalar_type(), at::kDouble);
}

// bf16 runs the coupling networks in bfloat16 only. Stated tolerance on bits/dim: 5e-3 on a tiny
// randomly perturbed model (the log-dets, ActNorms and priors stay float32).
TEST(GlowInference, Bf16ScoringStaysCloseToFp32) {
  at::manual_seed(36);
  auto options = tiny_options(3, 16, 2, 4, 32);
  Glow glow(options);
  glow->initialize(test_images(64, 3, 16));
  perturb(*glow, 0.02);
  const auto x = test_images(16, 3, 16);
  at::NoGradGuard no_grad;
  const auto fp32 = glow->forward(x);
  glow->set_precision(Precision::bf16);
  EXPECT_EQ(glow->options().precision, Precision::bf16);
  const auto bf16 = glow->forward(x);
  EXPECT_EQ(bf16.bpd.scalar_type(), at::kFloat);
  const double diff = max_abs_diff(bf16.bpd, fp32.bpd);
  std::printf("bf16 vs fp32: max |bits/dim difference| = %.2e (bpd ~ %.3f)\n", diff,
              fp32.bpd.mean().item<double>());
  EXPECT_LT(diff, 5e-3);
  EXPECT_GT(diff, 0.0);  // bf16 was really used
  // The round trip still holds to bf16 accuracy: reverse runs the same bf16 networks, on inputs
  // that differ from the forward ones by float32 rounding, which bf16 rounding can amplify.
  EXPECT_LT(max_abs_diff(glow->reverse(bf16.latents), x), 1e-2);
  glow->set_precision(Precision::fp32);
  EXPECT_TRUE(at::equal(glow->forward(x).bpd, fp32.bpd));
}

}  // namespace
}  // namespace hierad::model
