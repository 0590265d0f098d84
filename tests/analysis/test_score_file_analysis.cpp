// The analysis stage over real score files: written with the storage layer, the general model's
// rows in another order, read back and analysed; every metric equals the metric of the scores
// computed directly from the values written.
#include "analysis/metrics.hpp"
#include "analysis/score_file_analysis.hpp"
#include "storage/score_store.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <random>

namespace hierad::analysis {
namespace {

constexpr int kScales = 2;

struct SetValues {
  std::vector<std::int64_t> index;
  std::vector<double> lp;  // [n, kScales]
  std::vector<double> log_p;
};

SetValues make_set(int n, double shift, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  SetValues v;
  for (int i = 0; i < n; ++i) {
    v.index.push_back(i);
    const double a = -100 + shift + normal(rng), b = -50 + 2 * shift + normal(rng);
    v.lp.push_back(a);
    v.lp.push_back(b);
    v.log_p.push_back(a + b);
  }
  return v;
}

// Writes `sets` (name -> values); with `reverse`, rows are added in reverse order (the pairing must
// go by index, not by row).
std::filesystem::path write_file(const std::filesystem::path& path, const std::map<std::string, SetValues>& sets,
                                 bool reverse) {
  storage::ScoreFileInfo info;
  info.n_scales = kScales;
  info.checkpoint.run_id = path.stem().string();
  auto writer = storage::ScoreWriter::create_serial(path, info);
  for (const auto& [name, v] : sets) {
    const auto n = static_cast<std::int64_t>(v.index.size());
    writer.begin_set({name, "synthetic", n, "fp"});
    std::vector<double> zeros(v.lp.size(), 0.0), bpd(v.log_p.size(), 0.0);
    for (std::int64_t row = 0; row < n; ++row) {
      const std::int64_t i = reverse ? n - 1 - row : row;
      storage::ScoreRowsView one;
      one.n = 1;
      one.index = &v.index[i];
      one.log_p = &v.log_p[i];
      one.bpd = &bpd[i];
      one.F = &zeros[i * kScales];
      one.A = &zeros[i * kScales];
      one.G = &zeros[i * kScales];
      one.lp = &v.lp[i * kScales];
      writer.add_rows(row, one);
    }
    writer.end_set();
  }
  writer.close();
  return path;
}

TEST(ScoreFileAnalysis, MetricsEqualThoseOfTheDirectScores) {
  const auto dir = std::filesystem::temp_directory_path() / ("hierad-analysis-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::map<std::string, SetValues> in_values = {{"in_dist_test", make_set(60, 0.0, 1)},
                                                      {"svhn", make_set(40, 1.5, 2)}};
  // The general model likes both sets alike, except for a shift on scale 0 of svhn.
  std::map<std::string, SetValues> gen_values = {{"in_dist_test", make_set(60, 0.0, 3)},
                                                 {"svhn", make_set(40, 3.0, 4)}};
  RunScoreFiles run{"seed0", storage::read_score_file(write_file(dir / "in.h5", in_values, false)),
                    storage::read_score_file(write_file(dir / "gen.h5", gen_values, true))};
  const AnalysisOutput out = analyse({run}, AnalysisRequest{});

  // The ratio score by hand: log p_in - log p_gen, matched by index.
  auto ratio = [&](const std::string& set) {
    std::vector<double> r;
    for (std::size_t i = 0; i < in_values.at(set).log_p.size(); ++i) {
      r.push_back(in_values.at(set).log_p[i] - gen_values.at(set).log_p[i]);
    }
    return r;
  };
  const double expected_ratio_auroc = auroc(ratio("in_dist_test"), ratio("svhn")).value;
  const double expected_raw_auroc = auroc(in_values.at("in_dist_test").log_p, in_values.at("svhn").log_p).value;
  int found = 0;
  for (const MetricRecord& record : out.records) {
    if (record.metric != "auroc" || record.ood_set != "svhn") continue;
    if (record.score_kind == "ratio") {
      EXPECT_EQ(record.value, expected_ratio_auroc);
      ++found;
    }
    if (record.score_kind == "log_p") {
      EXPECT_EQ(record.value, expected_raw_auroc);
      ++found;
    }
  }
  EXPECT_EQ(found, 2);
  EXPECT_LT(expected_raw_auroc, 0.5);    // the in-distribution model prefers the OOD set...
  EXPECT_GT(expected_ratio_auroc, 0.5);  // ...and the ratio corrects it
  ASSERT_EQ(out.blocks.size(), 2u);
  EXPECT_EQ(out.blocks[0].role, "in");
  EXPECT_EQ(out.blocks[1].set, "svhn");
  std::filesystem::remove_all(dir);
}

TEST(ScoreFileAnalysis, AuthorsNonFiniteConventionIsAnOptionNamedInTheKind) {
  // The general model's log p is -inf for ten OOD examples. Default: their ratio is +inf, counted
  // as anomalous (a sure hit). Authors: log p_gen = -3e6 first, so their ratio is ~+3e6, the
  // most in-distribution of all (a sure miss), and the kind is named with the suffix.
  const auto dir = std::filesystem::temp_directory_path() / ("hierad-analysis-nf-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::map<std::string, SetValues> in_values = {{"in_dist_test", make_set(60, 0.0, 1)},
                                                      {"svhn", make_set(40, 0.0, 2)}};
  std::map<std::string, SetValues> gen_values = {{"in_dist_test", make_set(60, 0.0, 3)},
                                                 {"svhn", make_set(40, 0.0, 4)}};
  for (int i = 0; i < 10; ++i) gen_values["svhn"].log_p[static_cast<std::size_t>(i)] = -INFINITY;
  RunScoreFiles run{"seed0", storage::read_score_file(write_file(dir / "in.h5", in_values, false)),
                    storage::read_score_file(write_file(dir / "gen.h5", gen_values, false))};
  const auto ratio_auroc = [&](const AnalysisOutput& out, const std::string& kind) {
    for (const MetricRecord& r : out.records)
      if (r.metric == "auroc" && r.ood_set == "svhn" && r.score_kind == kind) return r;
    ADD_FAILURE() << "no auroc record for " << kind;
    return MetricRecord{};
  };
  // By hand: the in-set vs the finite OOD examples' ratios, plus 10 sure hits or 10 sure misses.
  std::vector<double> in_ratio, ood_finite;
  for (std::size_t i = 0; i < 60; ++i)
    in_ratio.push_back(in_values.at("in_dist_test").log_p[i] - gen_values.at("in_dist_test").log_p[i]);
  for (std::size_t i = 10; i < 40; ++i) ood_finite.push_back(in_values.at("svhn").log_p[i] - gen_values.at("svhn").log_p[i]);
  const double finite_part = auroc(in_ratio, ood_finite).value * 30 / 40;
  const MetricRecord ours = ratio_auroc(analyse({run}, AnalysisRequest{}), "ratio");
  EXPECT_NEAR(ours.value, finite_part + 10.0 / 40, 1e-12);
  EXPECT_EQ(ours.nonfinite_out, 10u);
  AnalysisRequest authors;
  authors.authors_non_finite = true;
  const AnalysisOutput theirs_out = analyse({run}, authors);
  const MetricRecord theirs = ratio_auroc(theirs_out, "ratio+nonfinite_-3e6");
  EXPECT_NEAR(theirs.value, finite_part, 1e-12);
  EXPECT_EQ(theirs.nonfinite_out, 0u);
  for (const std::string& name : theirs_out.kind_names) EXPECT_NE(name.find("+nonfinite_-3e6"), std::string::npos) << name;
  std::filesystem::remove_all(dir);
}

// Input complexity: PNG bits/dim supplied per example index, in another order than the file's rows
// (the general model's file is written in reverse), must pair with the right examples.
TEST(ScoreFileAnalysis, InputComplexityUsesThePngLengthOfEachExample) {
  const auto dir = std::filesystem::temp_directory_path() / ("hierad-analysis-png-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::map<std::string, SetValues> values = {{"in_dist_test", make_set(30, 0.0, 5)},
                                                   {"svhn", make_set(20, 0.0, 6)}};
  RunScoreFiles run{"r", storage::read_score_file(write_file(dir / "in.h5", values, true)), std::nullopt};
  AnalysisRequest request;
  request.image_dims = 1024;
  // Lengths that vary by example (a pairing by row instead of by index would change the AUROC),
  // OOD images compressing somewhat better.
  for (const auto& [name, v] : values) {
    for (std::size_t i = 0; i < v.index.size(); ++i) {
      request.png_bits_per_dim[name].push_back((name == "svhn" ? 1.5 : 2.0) + 0.1 * static_cast<double>(i % 7));
    }
  }
  const AnalysisOutput out = analyse({run}, request);
  auto score = [&](const std::string& set) {
    std::vector<double> s;
    for (std::size_t i = 0; i < values.at(set).log_p.size(); ++i) {
      s.push_back(request.png_bits_per_dim.at(set)[i] - bits_per_dim(values.at(set).log_p[i], 1024));
    }
    return s;
  };
  const double expected = auroc(score("in_dist_test"), score("svhn")).value;
  bool found = false;
  for (const MetricRecord& record : out.records) {
    if (record.score_kind == "input_complexity" && record.metric == "auroc") {
      EXPECT_EQ(record.value, expected);
      found = true;
    }
  }
  EXPECT_TRUE(found);
  EXPECT_GT(expected, 0.5);
  std::filesystem::remove_all(dir);
}

TEST(ScoreFileAnalysis, MismatchedExamplesAreNamed) {
  const auto dir = std::filesystem::temp_directory_path() / ("hierad-analysis-bad-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::map<std::string, SetValues> in_values = {{"in_dist_test", make_set(10, 0, 1)}, {"x", make_set(5, 0, 2)}};
  const std::map<std::string, SetValues> gen_values = {{"in_dist_test", make_set(9, 0, 1)}, {"x", make_set(5, 0, 2)}};
  RunScoreFiles run{"r", storage::read_score_file(write_file(dir / "in.h5", in_values, false)),
                    storage::read_score_file(write_file(dir / "gen.h5", gen_values, false))};
  try {
    analyse({run}, AnalysisRequest{});
    FAIL() << "no error";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("gen.h5 does not hold the examples of"), std::string::npos)
        << error.what();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hierad::analysis
