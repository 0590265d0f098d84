// The training objectives against their formulas (method.md §3, §5), including extreme inputs.
#include "src/train/losses.hpp"
#include "src/train/progress.hpp"
#include "src/util/format_duration.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

namespace hierad::train {
namespace {

TEST(Losses, NllInNatsSubtractsTheBinVolume) {
  const at::Tensor log_p = at::tensor({100.0, -3.5}, at::kDouble);
  const at::Tensor nll = nll_nats(log_p, 3072);
  EXPECT_DOUBLE_EQ(nll[0].item<double>(), -(100.0 - 3072 * std::log(256.0)));
  EXPECT_DOUBLE_EQ(nll[1].item<double>(), -(-3.5 - 3072 * std::log(256.0)));
}

TEST(Losses, OutlierTermIsWeightedMeanSoftplusOfTheScaledRatio) {
  const at::Tensor in = at::tensor({1000.0, -500.0, 2.0e6}, at::kDouble);
  const at::Tensor gen = at::tensor({0.0, 0.0, 0.0}, at::kDouble);
  const double w = 2.0, T = 1000.0;
  const double expected =
      w * (std::log1p(std::exp(1.0)) + std::log1p(std::exp(-0.5)) + 2000.0 /* softplus(2000) */) / 3.0;
  EXPECT_NEAR(outlier_term(in, gen, w, T).item<double>(), expected, 1e-9);
}

TEST(Losses, OutlierTermPushesInDistributionLikelihoodDownOnOutliers) {
  at::Tensor in = at::tensor({10.0, 20.0}, at::kDouble).set_requires_grad(true);
  const at::Tensor gen = at::tensor({15.0, 15.0}, at::kDouble);
  outlier_term(in, gen, 6000.0, 1000.0).backward();
  EXPECT_GT(in.grad()[0].item<double>(), 0.0);  // minimising lowers log p_in of outliers
  EXPECT_GT(in.grad()[1].item<double>(), in.grad()[0].item<double>());
}

TEST(Progress, LineAndDuration) {
  EXPECT_EQ(util::format_duration(3725.4), "1:02:05");
  EXPECT_EQ(util::format_duration(-1), "?");
  EXPECT_EQ(progress_line(120, 1000, 2, 85.25, 5.1234, 0, 0.5),
            "step 120/1000 (12.0%) | epoch 2 | 85.2 img/s | 5.1234 bpd | ETA 0:07:20");
  EXPECT_EQ(progress_line(1, 2, 0, 1, 1, 3, 1),
            "step 1/2 (50.0%) | epoch 0 | 1.0 img/s | 1.0000 bpd | ETA 0:00:01 | 3 skipped steps");
}

}  // namespace
}  // namespace hierad::train
