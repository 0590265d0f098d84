// The report page from hand-made data: escaping, the AUROC table's layout (OOD sets x score kinds),
// the best score per row, mean +- std only where several runs were aggregated, links to each run.
#include "src/report/report_page.hpp"

#include "src/report/html.hpp"
#include "tests/common/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

namespace hierad::report {
namespace {

ReportData sample_data() {
  ReportData data;
  data.title = "runs/<demo>";
  data.generated = "now";
  RunReport run;
  run.row = {"runs/demo/abc", "abc", "fmnist", "done", "300/300", "5.03", "700.0", "-", "0", "train.seed=1"};
  run.anchor = "run-abc";
  run.metrics = {{"log_p", "in_dist_test", "digits", "auroc", 3, 0.075, 0.01},
                 {"ratio", "in_dist_test", "digits", "auroc", 3, 0.514, 0.02},
                 {"log_p", "in_dist_test", "noise", "auroc", 3, 1.0, 0.0},
                 {"ratio", "in_dist_test", "noise", "auroc", 3, 0.548, NAN},
                 {"log_p", "in_dist_test", "digits", "fpr95_id_positive", 3, 0.9, 0.0},
                 {"ratio", "in_dist_test", "digits", "fpr95_id_positive", 3, 0.4, 0.0}};
  run.samples = {{"samples/run-abc-T0.70.png", "samples at T = 0.70"}};
  run.report_md = "../abc/report/report.md";
  data.runs.push_back(run);
  RunReport pending;
  pending.row = {"runs/demo/def", "def", "general", "pending", "-", "-", "-", "-", "0", "-"};
  pending.anchor = "run-def";
  data.runs.push_back(pending);
  data.notes = {"def: no samples: <not finished>"};
  return data;
}

TEST(ReportPage, EscapesText) {
  EXPECT_EQ(html_escape("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
  const std::string page = render_report_html(sample_data());
  EXPECT_NE(page.find("hierad: runs/&lt;demo&gt;"), std::string::npos);
  EXPECT_NE(page.find("&lt;not finished&gt;"), std::string::npos);
  EXPECT_EQ(page.find("<demo>"), std::string::npos);
}

TEST(ReportPage, StatusTableHasARowPerRunLinkingToItsSection) {
  const std::string page = render_report_html(sample_data());
  const auto status = page.substr(page.find("<table id=\"status\""));
  const std::string body = status.substr(0, status.find("</table>"));
  int rows = 0;
  for (auto at = body.find("<tr><td>"); at != std::string::npos; at = body.find("<tr><td>", at + 1)) ++rows;
  EXPECT_EQ(rows, 2);
  EXPECT_NE(body.find("<a href=\"#run-abc\">abc</a>"), std::string::npos);
  EXPECT_NE(body.find("class=\"state-pending\""), std::string::npos);
  EXPECT_NE(page.find("<section id=\"run-abc\">"), std::string::npos);
  EXPECT_NE(page.find("href=\"../abc/report/report.md\""), std::string::npos);
  EXPECT_NE(page.find("src=\"samples/run-abc-T0.70.png\""), std::string::npos);
}

TEST(ReportPage, AurocTableMarksTheBestScorePerOodSet) {
  const std::string page = render_report_html(sample_data());
  const auto start = page.find("<table class=\"sortable metric\" id=\"auroc-run-abc-in_dist_test\">");
  ASSERT_NE(start, std::string::npos);
  const std::string table = page.substr(start, page.find("</table>", start) - start);
  EXPECT_NE(table.find("<th>OOD set</th><th>log_p</th><th>ratio</th>"), std::string::npos);
  // digits: ratio is best; noise: log_p; mean +- std over the 3 runs, std omitted where unknown.
  EXPECT_NE(table.find("<tr><td>digits</td><td>7.5 &plusmn; 1.0</td><td class=\"best\">51.4 &plusmn; 2.0</td></tr>"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("<tr><td>noise</td><td class=\"best\">100.0 &plusmn; 0.0</td><td>54.8</td></tr>"), std::string::npos)
      << table;
  // FPR95: lower is better, so log_p's 90 % loses to ratio's 40 %.
  const auto fpr = page.find("id=\"fpr95_id_positive-run-abc-in_dist_test\"");
  ASSERT_NE(fpr, std::string::npos);
  const std::string fpr_table = page.substr(fpr, page.find("</table>", fpr) - fpr);
  EXPECT_NE(fpr_table.find("<td>90.0 &plusmn; 0.0</td><td class=\"best\">40.0 &plusmn; 0.0</td>"), std::string::npos)
      << fpr_table;
}

TEST(ReportPage, MetricsCsvReadsTheAnalysisTableAndNamesBadLines) {
  test::TempDir dir;
  std::ofstream(dir / "metrics.csv") << "score_kind,in_set,ood_set,metric,runs,mean,std,nonfinite_in,nonfinite_out\n"
                                        "log_p,in_dist_test,digits,auroc,1,0.075,,0,0\n"
                                        "ratio,in_dist_test,digits,auroc,3,0.5,0.02,0,0\n";
  const auto rows = read_metrics_csv(dir / "metrics.csv");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].score_kind, "log_p");
  EXPECT_TRUE(std::isnan(rows[0].std));
  EXPECT_DOUBLE_EQ(rows[1].std, 0.02);
  std::ofstream(dir / "bad.csv") << "score_kind,in_set,ood_set,metric,runs,mean,std\nlog_p,a,b,auroc,x,0.5,\n";
  try {
    read_metrics_csv(dir / "bad.csv");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.csv:2"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace hierad::report
