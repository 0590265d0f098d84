// Score kinds on a hand-made 3-scale record whose every score is known in closed form.
#include "analysis/score_kinds.hpp"

#include "analysis/metrics.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace hierad::analysis {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// 3 scales, 4 examples; integer-valued terms so every sum is exact. log_p is the sum of the lp_k.
ModelLikelihoods in_model() {
  ModelLikelihoods m;
  m.lp = {{-100, -110, -120, -130}, {-50, -40, -60, -45}, {-10, -12, -8, -30}};
  m.log_p = {-160, -162, -188, -205};
  return m;
}
ModelLikelihoods general_model() {
  ModelLikelihoods m;
  m.lp = {{-101, -108, -121, -125}, {-49, -45, -55, -50}, {-20, -11, -9, -10}};
  m.log_p = {-170, -164, -185, -185};
  return m;
}

TEST(ScoreKinds, EveryKindOnAHandMadeRecord) {
  const ModelLikelihoods in = in_model(), gen = general_model();
  const ScoreInputs inputs{&in, &gen, nullptr, 0};
  EXPECT_THAT(compute_score(ScoreKind::log_p(), inputs), ElementsAre(-160, -162, -188, -205));
  EXPECT_THAT(compute_score(ScoreKind::ratio(), inputs), ElementsAre(10, 2, -3, -20));
  EXPECT_THAT(compute_score(ScoreKind::final_scale(), inputs), ElementsAre(-10, -12, -8, -30));
  EXPECT_THAT(compute_score(ScoreKind::scale_ratio(0), inputs), ElementsAre(1, -2, 1, -5));
  EXPECT_THAT(compute_score(ScoreKind::scale_ratio(1), inputs), ElementsAre(-1, 5, -5, 5));
  EXPECT_THAT(compute_score(ScoreKind::scale_ratio(2), inputs), ElementsAre(10, -1, 1, -20));
  EXPECT_THAT(compute_score(ScoreKind::scales_ratio(1, 2), inputs), ElementsAre(9, 4, -4, -15));
  EXPECT_THAT(compute_score(ScoreKind::scales_ratio(0, 2), inputs), ElementsAre(10, 2, -3, -20));
  EXPECT_THAT(compute_score(ScoreKind::scales_log_p(1, 2), inputs), ElementsAre(-60, -52, -68, -75));
  EXPECT_THAT(compute_score(ScoreKind::scales_log_p(0, 1), inputs), ElementsAre(-150, -150, -180, -175));
  EXPECT_THAT(compute_score(ScoreKind::scales_log_p(2, 2), inputs), ElementsAre(-10, -12, -8, -30));
}

TEST(ScoreKinds, InputComplexityIsPngBitsPerDimMinusModelBitsPerDim) {
  const std::size_t dims = 3072;
  const double ln2 = std::log(2.0);
  ModelLikelihoods in;
  in.lp = {{0, 0}};
  in.log_p = {0.0, -static_cast<double>(dims) * ln2};  // bits/dim 8 and 9 (method.md §3)
  EXPECT_DOUBLE_EQ(bits_per_dim(in.log_p[0], dims), 8.0);
  EXPECT_DOUBLE_EQ(bits_per_dim(in.log_p[1], dims), 9.0);
  const std::vector<double> png = {5.5, 10.0};
  const auto score = compute_score(ScoreKind::input_complexity(), ScoreInputs{&in, nullptr, &png, dims});
  ASSERT_EQ(score.size(), 2u);
  EXPECT_DOUBLE_EQ(score[0], 5.5 - 8.0);
  EXPECT_DOUBLE_EQ(score[1], 10.0 - 9.0);
}

TEST(ScoreKinds, NonFiniteTermsPropagateAndMetricsCountThem) {
  ModelLikelihoods in = in_model(), gen = general_model();
  const double inf = std::numeric_limits<double>::infinity();
  in.log_p[1] = -inf;
  gen.log_p[1] = -inf;  // -inf - (-inf) = NaN
  const auto ratio = compute_score(ScoreKind::ratio(), ScoreInputs{&in, &gen, nullptr, 0});
  EXPECT_TRUE(std::isnan(ratio[1]));
  const std::vector<double> in_scores = {ratio[0], ratio[1]}, ood_scores = {ratio[2], ratio[3]};
  const MetricResult r = auroc(in_scores, ood_scores);
  EXPECT_EQ(r.nonfinite_in, 1u);
  EXPECT_DOUBLE_EQ(r.value, 0.5);  // 10 beats both; NaN loses to both
}

TEST(ScoreKindNames, StandardListForThreeScales) {
  std::vector<std::string> names;
  for (const ScoreKind& k : standard_score_kinds(3, true, true)) names.push_back(score_kind_name(k));
  EXPECT_THAT(names, ElementsAre("log_p", "final_scale_lp", "log_p_scales_1_to_2", "ratio", "ratio_scale_0",
                                 "ratio_scale_1", "ratio_scale_2", "ratio_scales_1_to_2", "input_complexity"));
  names.clear();
  for (const ScoreKind& k : standard_score_kinds(4, false, false)) names.push_back(score_kind_name(k));
  EXPECT_THAT(names, ElementsAre("log_p", "final_scale_lp", "log_p_scales_1_to_3", "log_p_scales_2_to_3"));
}

TEST(ScoreKindNames, ParseIsTheInverseOfName) {
  std::vector<ScoreKind> kinds = standard_score_kinds(5, true, true);
  kinds.push_back(ScoreKind::scales_log_p(0, 3));
  kinds.push_back(ScoreKind::scales_log_p(4, 4));
  kinds.push_back(ScoreKind::scales_ratio(12, 40));
  for (const ScoreKind& k : kinds) {
    const std::string name = score_kind_name(k);
    EXPECT_EQ(parse_score_kind(name), k) << name;
    EXPECT_EQ(score_kind_name(parse_score_kind(name)), name);
  }
}

TEST(ScoreKindNames, RejectsMalformedNames) {
  for (const char* bad : {"", "logp", "ratio_", "ratio_scale_", "ratio_scale_x", "ratio_scale_01",
                          "ratio_scales_2_to_1", "ratio_scales_1_to_1", "ratio_scales_1to_2",
                          "log_p_scales_1_to_", "final_scale", "ratio_scale_-1", "RATIO"}) {
    EXPECT_THROW(parse_score_kind(bad), std::invalid_argument) << bad;
  }
}

TEST(ScoreKindErrors, MissingOrMismatchedInputsAreNamed) {
  const ModelLikelihoods in = in_model(), gen = general_model();
  const auto message = [](const ScoreKind& kind, const ScoreInputs& inputs) {
    try {
      compute_score(kind, inputs);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no exception");
  };
  EXPECT_THAT(message(ScoreKind::ratio(), ScoreInputs{&in, nullptr, nullptr, 0}),
              HasSubstr("score 'ratio': needs the general model"));
  EXPECT_THAT(message(ScoreKind::log_p(), ScoreInputs{}), HasSubstr("needs the in-distribution model"));
  EXPECT_THAT(message(ScoreKind::scale_ratio(3), ScoreInputs{&in, &gen, nullptr, 0}),
              HasSubstr("scale range 3..3 is outside the model's scales 0..2"));

  ModelLikelihoods short_gen = gen;
  for (auto& lp : short_gen.lp) lp.pop_back();
  short_gen.log_p.pop_back();
  EXPECT_THAT(message(ScoreKind::ratio(), ScoreInputs{&in, &short_gen, nullptr, 0}),
              HasSubstr("different numbers of examples (4 vs 3)"));

  ModelLikelihoods two_scales = gen;
  two_scales.lp.pop_back();
  EXPECT_THAT(message(ScoreKind::scale_ratio(0), ScoreInputs{&in, &two_scales, nullptr, 0}),
              HasSubstr("different numbers of scales (3 vs 2)"));

  ModelLikelihoods ragged = in;
  ragged.lp[1].push_back(0);
  EXPECT_THAT(message(ScoreKind::log_p(), ScoreInputs{&ragged, nullptr, nullptr, 0}),
              HasSubstr("lp_1 has 5 examples but log_p has 4"));

  const std::vector<double> png = {1, 2, 3};
  EXPECT_THAT(message(ScoreKind::input_complexity(), ScoreInputs{&in, nullptr, nullptr, 3072}),
              HasSubstr("needs the PNG bits/dim"));
  EXPECT_THAT(message(ScoreKind::input_complexity(), ScoreInputs{&in, nullptr, &png, 3072}),
              HasSubstr("has 3 PNG lengths for 4 examples"));
  const std::vector<double> png4 = {1, 2, 3, 4};
  EXPECT_THAT(message(ScoreKind::input_complexity(), ScoreInputs{&in, nullptr, &png4, 0}),
              HasSubstr("D = C*H*W"));
}

}  // namespace
}  // namespace hierad::analysis
