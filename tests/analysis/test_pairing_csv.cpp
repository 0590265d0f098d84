// Pairing two models' rows by example index, the storage-layout conversion, and the scores CSV.
#include "analysis/likelihood_pairing.hpp"
#include "analysis/score_csv.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <sstream>
#include <stdexcept>

namespace hierad::analysis {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(Pairing, MatchesRowsByIndexNotByPosition) {
  EXPECT_THAT(match_rows_by_index({5, 3, 9}, {9, 5, 3}), ElementsAre(1u, 2u, 0u));
  EXPECT_THAT(match_rows_by_index({}, {}), ElementsAre());
}

TEST(Pairing, RejectsSetsThatDoNotHoldTheSameExamples) {
  const auto message = [](std::vector<std::int64_t> a, std::vector<std::int64_t> b) {
    try {
      match_rows_by_index(a, b);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no exception");
  };
  EXPECT_THAT(message({1, 2}, {1, 2, 3}), HasSubstr("hold 2 and 3 examples"));
  EXPECT_THAT(message({1, 2, 4}, {1, 2, 3}), HasSubstr("index 4 of the reference set is missing"));
  EXPECT_THAT(message({1, 2, 3}, {1, 1, 3}), HasSubstr("index 1 appears twice in the set being matched"));
  EXPECT_THAT(message({1, 1, 3}, {1, 2, 3}), HasSubstr("index 1 appears twice in the reference set"));
}

TEST(Pairing, LikelihoodsFromRowMajorRows) {
  // 3 examples, 2 scales: lp row-major [N, L].
  const std::vector<double> lp = {1, 2, 3, 4, 5, 6};
  const std::vector<double> log_p = {3, 7, 11};
  const ModelLikelihoods m = likelihoods_from_rows(lp, 2, log_p);
  EXPECT_THAT(m.lp[0], ElementsAre(1, 3, 5));
  EXPECT_THAT(m.lp[1], ElementsAre(2, 4, 6));
  EXPECT_THAT(m.log_p, ElementsAre(3, 7, 11));
  const std::vector<std::size_t> rows = {2, 0};
  const ModelLikelihoods picked = likelihoods_from_rows(lp, 2, log_p, &rows);
  EXPECT_THAT(picked.lp[0], ElementsAre(5, 1));
  EXPECT_THAT(picked.lp[1], ElementsAre(6, 2));
  EXPECT_THAT(picked.log_p, ElementsAre(11, 3));
  EXPECT_THROW(likelihoods_from_rows(lp, 4, log_p), std::invalid_argument);
  EXPECT_THROW(likelihoods_from_rows(lp, 0, log_p), std::invalid_argument);
  const std::vector<std::size_t> bad = {3};
  EXPECT_THROW(likelihoods_from_rows(lp, 2, log_p, &bad), std::invalid_argument);
}

TEST(Pairing, RatioOfShuffledGeneralFileEqualsRatioOfAlignedRows) {
  // The general model's file lists the same examples in another order (as ranks may write them).
  const std::size_t n = 50, L = 3;
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal(-1000.0, 50.0);
  std::vector<std::int64_t> index(n);
  std::iota(index.begin(), index.end(), 100);
  std::vector<double> lp_in(n * L), lp_gen(n * L), log_p_in(n, 0.0), log_p_gen(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < L; ++k) {
      lp_in[i * L + k] = normal(rng);
      lp_gen[i * L + k] = normal(rng);
      log_p_in[i] += lp_in[i * L + k];
      log_p_gen[i] += lp_gen[i * L + k];
    }
  }
  std::vector<std::size_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  std::shuffle(perm.begin(), perm.end(), rng);
  std::vector<std::int64_t> index_gen(n);
  std::vector<double> lp_gen_shuffled(n * L), log_p_gen_shuffled(n);
  for (std::size_t r = 0; r < n; ++r) {
    index_gen[r] = index[perm[r]];
    log_p_gen_shuffled[r] = log_p_gen[perm[r]];
    for (std::size_t k = 0; k < L; ++k) lp_gen_shuffled[r * L + k] = lp_gen[perm[r] * L + k];
  }
  const ModelLikelihoods in = likelihoods_from_rows(lp_in, L, log_p_in);
  const auto rows = match_rows_by_index(index, index_gen);
  const ModelLikelihoods gen = likelihoods_from_rows(lp_gen_shuffled, L, log_p_gen_shuffled, &rows);
  const auto ratio = compute_score(ScoreKind::ratio(), ScoreInputs{&in, &gen, nullptr, 0});
  const auto scale1 = compute_score(ScoreKind::scale_ratio(1), ScoreInputs{&in, &gen, nullptr, 0});
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_EQ(ratio[i], log_p_in[i] - log_p_gen[i]);
    EXPECT_EQ(scale1[i], lp_in[i * L + 1] - lp_gen[i * L + 1]);
  }
}

TEST(ScoresCsv, ExactTextWithNonFiniteValuesAndQuoting) {
  const double inf = std::numeric_limits<double>::infinity();
  std::ostringstream out;
  write_scores_csv(out, {"log_p", "ratio"},
                   {ScoreBlock{"in", "cifar10", {{-7012.5, 0.1}, {12.25, std::nan("")}}},
                    ScoreBlock{"ood", "svhn, cropped", {{-inf}, {inf}}}});
  EXPECT_EQ(out.str(),
            "role,set,log_p,ratio\n"
            "in,cifar10,-7012.5,12.25\n"
            "in,cifar10,0.1,nan\n"
            "ood,\"svhn, cropped\",-inf,inf\n");
}

TEST(ScoresCsv, RejectsMalformedBlocks) {
  std::ostringstream out;
  EXPECT_THROW(write_scores_csv(out, {"a"}, {ScoreBlock{"test", "x", {{1.0}}}}), std::invalid_argument);
  EXPECT_THROW(write_scores_csv(out, {"a", "b"}, {ScoreBlock{"in", "x", {{1.0}}}}), std::invalid_argument);
  EXPECT_THROW(write_scores_csv(out, {"a", "b"}, {ScoreBlock{"in", "x", {{1.0}, {1.0, 2.0}}}}),
               std::invalid_argument);
  EXPECT_TRUE(out.str().empty());  // validated before anything is written
}

}  // namespace
}  // namespace hierad::analysis
