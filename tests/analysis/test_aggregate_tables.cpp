// Aggregation over runs, and the exact text of every table format.
#include "analysis/aggregate.hpp"
#include "analysis/tables.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <stdexcept>

namespace hierad::analysis {
namespace {

using ::testing::HasSubstr;

MetricRecord rec(std::string run, std::string kind, std::string in, std::string ood, std::string metric,
                 double value, std::size_t nf_in = 0, std::size_t nf_out = 0) {
  return MetricRecord{std::move(run), std::move(kind), std::move(in), std::move(ood), std::move(metric),
                      value, nf_in, nf_out};
}

TEST(Aggregate, MeanAndSampleStdPerGroupInFirstAppearanceOrder) {
  const std::vector<MetricRecord> records = {
      rec("seed1", "ratio", "cifar10", "svhn", "auroc", 0.80, 1, 2),
      rec("seed1", "log_p", "cifar10", "svhn", "auroc", 0.10),
      rec("seed2", "ratio", "cifar10", "svhn", "auroc", 0.90, 0, 3),
      rec("seed3", "ratio", "cifar10", "svhn", "auroc", 1.00),
      rec("seed1", "ratio", "cifar10", "svhn", "aupr_in_ap", 0.5),
  };
  const auto rows = aggregate(records);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].score_kind, "ratio");
  EXPECT_EQ(rows[0].metric, "auroc");
  EXPECT_EQ(rows[0].runs, 3u);
  EXPECT_NEAR(rows[0].mean, 0.9, 1e-15);
  EXPECT_NEAR(rows[0].std, 0.1, 1e-15);  // sqrt((0.01 + 0 + 0.01) / 2)
  EXPECT_EQ(rows[0].nonfinite_in, 1u);
  EXPECT_EQ(rows[0].nonfinite_out, 5u);
  EXPECT_EQ(rows[1].score_kind, "log_p");
  EXPECT_EQ(rows[1].runs, 1u);
  EXPECT_DOUBLE_EQ(rows[1].mean, 0.10);
  EXPECT_TRUE(std::isnan(rows[1].std));  // one run: no sample std
  EXPECT_EQ(rows[2].metric, "aupr_in_ap");
}

TEST(Aggregate, SampleStdMatchesTheTextbookFormulaOnRandomValues) {
  std::mt19937_64 rng(1);
  std::normal_distribution<double> normal(0.7, 0.05);
  std::vector<MetricRecord> records;
  std::vector<double> values;
  for (int i = 0; i < 10; ++i) {
    values.push_back(normal(rng));
    records.push_back(rec("s" + std::to_string(i), "ratio", "a", "b", "auroc", values.back()));
  }
  double mean = 0, ss = 0;
  for (const double v : values) mean += v / 10;
  for (const double v : values) ss += (v - mean) * (v - mean);
  const auto rows = aggregate(records);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_NEAR(rows[0].mean, mean, 1e-15);
  EXPECT_NEAR(rows[0].std, std::sqrt(ss / 9), 1e-15);
}

TEST(Aggregate, RejectsDuplicateRunsAndNonFiniteValues) {
  try {
    aggregate({rec("seed1", "ratio", "c", "s", "auroc", 0.8), rec("seed1", "ratio", "c", "s", "auroc", 0.9)});
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("run 'seed1' appears twice for ratio / c vs s / auroc"));
  }
  EXPECT_THROW(aggregate({rec("r", "ratio", "c", "s", "auroc", std::nan(""))}), std::invalid_argument);
}

TEST(Aggregate, MetricRecordsCarryEveryMetricWithItsName) {
  std::array<MetricResult, kAllMetrics.size()> results;
  for (std::size_t i = 0; i < results.size(); ++i) results[i] = MetricResult{0.1 * i, i, 2 * i};
  const auto records = metric_records("run7", "ratio", "cifar10", "svhn", results);
  ASSERT_EQ(records.size(), kAllMetrics.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].metric, metric_name(kAllMetrics[i]));
    EXPECT_EQ(records[i].value, 0.1 * i);
    EXPECT_EQ(records[i].nonfinite_out, 2 * i);
    EXPECT_EQ(records[i].run, "run7");
  }
}

std::vector<AggregateRow> sample_rows() {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  return {
      AggregateRow{"ratio", "cifar10", "svhn", "auroc", 3, 0.9375, 0.014, 0, 0},
      AggregateRow{"log_p", "cifar10", "svhn", "auroc", 3, 0.0875, 0.01, 2, 7},
      AggregateRow{"ratio", "cifar10", "celeb,a \"x\"", "auroc", 1, 0.5, nan, 0, 0},
      AggregateRow{"ratio", "cifar10", "svhn", "fpr95_id_positive", 3, 0.25, 0.5, 0, 0},
  };
}

TEST(Tables, CsvIsExact) {
  std::ostringstream out;
  write_csv(out, sample_rows());
  EXPECT_EQ(out.str(),
            "score_kind,in_set,ood_set,metric,runs,mean,std,nonfinite_in,nonfinite_out\r\n"
            "ratio,cifar10,svhn,auroc,3,0.9375,0.014,0,0\r\n"
            "log_p,cifar10,svhn,auroc,3,0.0875,0.01,2,7\r\n"
            "ratio,cifar10,\"celeb,a \"\"x\"\"\",auroc,1,0.5,,0,0\r\n"
            "ratio,cifar10,svhn,fpr95_id_positive,3,0.25,0.5,0,0\r\n");
}

TEST(Tables, JsonIsExactAndEscaped) {
  std::ostringstream out;
  write_json(out, {sample_rows()[2]});
  EXPECT_EQ(out.str(),
            "[\n {\"score_kind\": \"ratio\", \"in_set\": \"cifar10\", \"ood_set\": \"celeb,a \\\"x\\\"\", "
            "\"metric\": \"auroc\", \"runs\": 1, \"mean\": 0.5, \"std\": null, \"nonfinite_in\": 0, "
            "\"nonfinite_out\": 0}\n]\n");
  std::ostringstream empty;
  write_json(empty, {});
  EXPECT_EQ(empty.str(), "[]\n");
  EXPECT_EQ(json_string("a\\b\"c\n\t\x01\xc3\xa9"), "\"a\\\\b\\\"c\\n\\t\\u0001\xc3\xa9\"");
}

TEST(Tables, ShortestDoubleRoundTrips) {
  EXPECT_EQ(shortest_double(0.1), "0.1");
  EXPECT_EQ(shortest_double(1.0), "1");
  std::mt19937_64 rng(4);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (int i = 0; i < 1000; ++i) {
    const double x = u(rng) * std::pow(10.0, i % 40 - 20);
    EXPECT_EQ(std::strtod(shortest_double(x).c_str(), nullptr), x);
  }
}

TEST(Tables, MarkdownEscapesPipesAndShowsMissingStd) {
  std::vector<AggregateRow> rows = sample_rows();
  rows[0].ood_set = "a|b";
  std::ostringstream out;
  write_markdown(out, rows);
  const std::string text = out.str();
  EXPECT_THAT(text, HasSubstr("| ratio | cifar10 | a\\|b | auroc | 3 | 0.9375 | 0.0140 | 0 | 0 |\n"));
  EXPECT_THAT(text, HasSubstr("| auroc | 1 | 0.5000 | n/a | 0 | 0 |\n"));
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(markdown_cell("x|y\nz"), "x\\|y z");
}

TEST(Tables, PaperLayoutIsExact) {
  std::ostringstream out;
  write_paper_table_markdown(out, sample_rows());
  EXPECT_EQ(out.str(),
            "**auroc (%)**, mean ± sample std over 1-3 run(s)\n\n"
            "| in-dist / OOD | ratio | log_p |\n"
            "|---|---:|---:|\n"
            "| cifar10 / svhn | 93.8 ± 1.4 | 8.8 ± 1.0 † |\n"
            "| cifar10 / celeb,a \"x\" | 50.0 | – |\n"
            "\n"
            "- † log_p, cifar10 / svhn: 2 in-dist and 7 OOD scores were non-finite (counted as anomalous; "
            "summed over runs)\n");
  PaperTableOptions options;
  options.metric = "fpr95_id_positive";
  options.score_kinds = {"log_p", "ratio"};
  options.percent = false;
  options.decimals = 2;
  std::ostringstream fpr;
  write_paper_table_markdown(fpr, sample_rows(), options);
  EXPECT_THAT(fpr.str(), HasSubstr("| in-dist / OOD | log_p | ratio |\n"));
  EXPECT_THAT(fpr.str(), HasSubstr("| cifar10 / svhn | – | 0.25 ± 0.50 |\n"));
  options.metric = "no_such_metric";
  EXPECT_THROW(write_paper_table_markdown(fpr, sample_rows(), options), std::invalid_argument);
}

TEST(Tables, WriteTablesWritesEveryFormatAndNamesUnwritablePaths) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("hierad_tables_test_" + std::to_string(std::random_device{}()));
  const auto rows = sample_rows();
  write_tables(dir, rows, "metrics");
  const auto read = [](const std::filesystem::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
  };
  std::ostringstream csv, json;
  write_csv(csv, rows);
  write_json(json, rows);
  EXPECT_EQ(read(dir / "metrics.csv"), csv.str());
  EXPECT_EQ(read(dir / "metrics.json"), json.str());
  EXPECT_TRUE(std::filesystem::exists(dir / "metrics.md"));
  EXPECT_TRUE(std::filesystem::exists(dir / "metrics_paper_auroc.md"));
  // A directory path that is a regular file cannot be created.
  try {
    write_tables(dir / "metrics.csv", rows);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("metrics.csv"));
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hierad::analysis
