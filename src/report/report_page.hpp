// The sweep report: one self-contained HTML page (inline CSS, a little local JavaScript, images
// as files beside it) for a sweep's output directory or one run, opened with file://.
//
// render_report_html is a pure function of ReportData, so the page can be tested without runs;
// `hierad report` (src/cli/report_command.cpp) gathers the data from the run directories.
#pragma once

#include "src/report/metrics_csv.hpp"
#include "src/sweep/status_table.hpp"

#include <string>
#include <vector>

namespace hierad::report {

struct ImageLink {
  std::string path;     // relative to the page
  std::string caption;
};

struct RunReport {
  sweep::RunRow row;
  std::string anchor;                 // id of its section
  std::vector<MetricRow> metrics;     // from report/metrics.csv; empty before its analysis
  std::string report_md;              // relative link to its report.md, empty if none
  std::vector<ImageLink> samples;     // sample grids at a few temperatures
  std::vector<ImageLink> plots;       // its analysis plots (ROC curves, histograms, per-scale terms)
};

struct StageCurves {
  std::string stage;
  std::vector<ImageLink> images;      // bits/dim (training, validation), skipped steps, communication
};

struct ReportData {
  std::string title;                  // the directory the report is about
  std::string generated;              // when, as text
  std::vector<RunReport> runs;
  std::vector<StageCurves> curves;
  std::vector<std::string> notes;     // what could not be made (a missing checkpoint, a plot error)
};

std::string render_report_html(const ReportData& data);

}  // namespace hierad::report
