// Every metric equals scikit-learn's to 1e-12 on the committed golden vectors
// (tests/analysis/golden/metrics_golden.txt, written by analysis/golden/make_golden.py).
#include "analysis/metrics.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace hierad::analysis {
namespace {

const std::string kGoldenFile = std::string(HIERAD_ANALYSIS_GOLDEN_DIR) + "/metrics_golden.txt";

struct GoldenCase {
  std::string name;
  std::vector<double> in, out;
  std::map<std::string, double> expect;
};

[[noreturn]] void parse_error(int line, const std::string& what) {
  throw std::runtime_error(kGoldenFile + ":" + std::to_string(line) + ": " + what);
}

double parse_number(const std::string& token, int line) {
  // strtod reads nan, inf, -inf, and a shortest round-trip decimal back to the exact double
  // (subnormals included, which is why errno's ERANGE is not treated as an error).
  char* end = nullptr;
  const double v = std::strtod(token.c_str(), &end);
  if (token.empty() || end != token.c_str() + token.size()) {
    parse_error(line, "not a number: '" + token + "'");
  }
  return v;
}

std::vector<double> parse_scores(std::istringstream& fields, int line) {
  std::size_t count = 0;
  if (!(fields >> count)) parse_error(line, "missing score count");
  std::vector<double> scores;
  std::string token;
  while (fields >> token) scores.push_back(parse_number(token, line));
  if (scores.size() != count) {
    parse_error(line, "expected " + std::to_string(count) + " scores, found " + std::to_string(scores.size()));
  }
  return scores;
}

std::vector<GoldenCase> load_golden() {
  std::ifstream file(kGoldenFile);
  if (!file) throw std::runtime_error(kGoldenFile + ": cannot open");
  std::vector<GoldenCase> cases;
  GoldenCase current;
  bool open = false;
  std::string text;
  int line = 0;
  while (std::getline(file, text)) {
    ++line;
    if (text.empty() || text[0] == '#') continue;
    std::istringstream fields(text);
    std::string tag;
    fields >> tag;
    if (tag == "case") {
      if (open) parse_error(line, "'case' before 'end'");
      current = GoldenCase{};
      fields >> current.name;
      open = true;
    } else if (!open) {
      parse_error(line, "'" + tag + "' outside a case");
    } else if (tag == "in") {
      current.in = parse_scores(fields, line);
    } else if (tag == "out") {
      current.out = parse_scores(fields, line);
    } else if (tag == "expect") {
      std::string key, value;
      if (!(fields >> key >> value)) parse_error(line, "expect needs a name and a value");
      current.expect[key] = parse_number(value, line);
    } else if (tag == "end") {
      cases.push_back(current);
      open = false;
    } else {
      parse_error(line, "unknown tag '" + tag + "'");
    }
  }
  if (open) parse_error(line, "file ends inside case " + current.name);
  return cases;
}

TEST(MetricsGolden, EveryMetricEqualsScikitLearn) {
  const std::vector<GoldenCase> cases = load_golden();
  ASSERT_GE(cases.size(), 20u) << kGoldenFile;  // a truncated file must not pass quietly
  std::size_t compared = 0;
  for (const GoldenCase& c : cases) {
    SCOPED_TRACE("case " + c.name);
    const auto all = compute_all_metrics(c.in, c.out);
    for (std::size_t i = 0; i < kAllMetrics.size(); ++i) {
      const std::string name(metric_name(kAllMetrics[i]));
      const auto expected = c.expect.find(name);
      ASSERT_NE(expected, c.expect.end()) << "no expected value for " << name;
      EXPECT_NEAR(all[i].value, expected->second, 1e-12) << name;
      // The single-metric entry point must agree with the batch one bit for bit.
      EXPECT_EQ(compute_metric(kAllMetrics[i], c.in, c.out).value, all[i].value) << name;
      EXPECT_EQ(all[i].nonfinite_in, static_cast<std::size_t>(c.expect.at("nonfinite_in"))) << name;
      EXPECT_EQ(all[i].nonfinite_out, static_cast<std::size_t>(c.expect.at("nonfinite_out"))) << name;
      ++compared;
    }
  }
  EXPECT_EQ(compared, cases.size() * kAllMetrics.size());
}

}  // namespace
}  // namespace hierad::analysis
