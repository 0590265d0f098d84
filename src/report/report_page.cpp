#include "src/report/report_page.hpp"

#include "src/report/html.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

namespace hierad::report {
namespace {

const char* const kStyle = R"CSS(
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em auto; max-width: 1400px; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; } h3 { margin-top: 1.4em; }
table { border-collapse: collapse; margin: 0.5em 0; } th, td { padding: 3px 8px; border: 1px solid #ddd; text-align: left; }
th { background: #f3f3f3; cursor: pointer; user-select: none; } td.num, table.metric td { text-align: right; }
table.metric td:first-child { text-align: left; }
td.best { font-weight: bold; background: #e6f4e6; } .state-done { color: #1a7f37; } .state-failed { color: #c62828; }
.state-running { color: #1f5fbf; } .state-interrupted, .state-preempted { color: #b26a00; }
figure { display: inline-block; margin: 0.4em; vertical-align: top; } figcaption { font-size: 12px; color: #555; }
img { max-width: 400px; border: 1px solid #eee; } img.samples { image-rendering: pixelated; width: 300px; }
div.wide { overflow-x: auto; } #filter { margin: 0.5em 0; padding: 3px 6px; width: 20em; } details { margin: 0.5em 0; } .muted { color: #777; }
)CSS";

// Sorting by a click on a column header, the status table's filter, and a count of the page's
// images once they have loaded (broken ones named), shown at the bottom.
const char* const kScript = R"JS(
function sortTable(th) {
  const table = th.closest('table'), body = table.tBodies[0], col = th.cellIndex;
  const asc = th.dataset.dir !== 'asc'; th.dataset.dir = asc ? 'asc' : 'desc';
  const key = td => { const t = td.textContent.trim(); const v = parseFloat(t); return isNaN(v) ? t : v; };
  const rows = Array.from(body.rows);
  rows.sort((a, b) => { const x = key(a.cells[col]), y = key(b.cells[col]);
    const c = (typeof x === typeof y) ? (x < y ? -1 : x > y ? 1 : 0) : (typeof x === 'number' ? -1 : 1);
    return asc ? c : -c; });
  rows.forEach(r => body.appendChild(r));
}
document.querySelectorAll('table.sortable th').forEach(th => th.addEventListener('click', () => sortTable(th)));
const filter = document.getElementById('filter');
if (filter) filter.addEventListener('input', () => {
  const q = filter.value.toLowerCase();
  document.querySelectorAll('#status tbody tr').forEach(r => { r.style.display = r.textContent.toLowerCase().includes(q) ? '' : 'none'; });
});
window.addEventListener('load', () => {
  const images = Array.from(document.images), broken = images.filter(i => !i.complete || i.naturalWidth === 0);
  const out = document.getElementById('image-check');
  out.dataset.images = images.length; out.dataset.broken = broken.length;
  out.textContent = images.length + ' images, ' + (broken.length ? broken.length + ' missing: ' +
    broken.map(i => i.getAttribute('src')).join(', ') : 'all loaded');
});
)JS";

std::string percent(double value) {
  if (!std::isfinite(value)) return "nan";
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", 100.0 * value);
  return text;
}

void figure(std::ostringstream& out, const ImageLink& image, const char* css_class = nullptr) {
  out << "<figure><a href=\"" << html_escape(image.path) << "\"><img src=\"" << html_escape(image.path) << "\""
      << (css_class ? std::string(" class=\"") + css_class + "\"" : std::string()) << " alt=\""
      << html_escape(image.caption) << "\"></a><figcaption>" << html_escape(image.caption) << "</figcaption></figure>\n";
}

void status_section(std::ostringstream& out, const ReportData& data) {
  std::map<std::string, int> counts;
  for (const RunReport& run : data.runs) ++counts[run.row.state];
  out << "<h2 id=\"status-heading\">Status</h2>\n<p>" << data.runs.size() << " runs:";
  for (const auto& [state, count] : counts) out << " " << count << " " << html_escape(state) << ";";
  out << " click a column to sort.</p>\n<input id=\"filter\" placeholder=\"filter runs (stage, state, values...)\">\n";
  out << "<table id=\"status\" class=\"sortable\"><thead><tr><th>run</th><th>stage</th><th>state</th><th>step</th>"
         "<th>bits/dim</th><th>images/s</th><th>ETA</th><th>failures</th><th>sweep values</th></tr></thead><tbody>\n";
  for (const RunReport& run : data.runs) {
    const sweep::RunRow& r = run.row;
    out << "<tr><td><a href=\"#" << run.anchor << "\">" << html_escape(r.name) << "</a></td><td>" << html_escape(r.stage)
        << "</td><td class=\"state-" << html_escape(r.state) << "\">" << html_escape(r.state) << "</td><td class=\"num\">"
        << html_escape(r.step) << "</td><td class=\"num\">" << html_escape(r.bpd) << "</td><td class=\"num\">"
        << html_escape(r.images_per_s) << "</td><td>" << html_escape(r.eta) << "</td><td>" << html_escape(r.failures) << "</td><td>"
        << html_escape(r.sweep_values) << "</td></tr>\n";
  }
  out << "</tbody></table>\n";
}

// One table of `metric` for the runs of one stage and in-distribution set: rows = OOD sets,
// columns = score kinds, mean (and +- std over runs where there are several), best per row marked.
void metric_table(std::ostringstream& out, const std::vector<const MetricRow*>& rows, const std::string& metric,
                  const std::string& id) {
  std::vector<std::string> kinds, oods;
  std::map<std::pair<std::string, std::string>, const MetricRow*> cell;
  for (const MetricRow* row : rows) {
    if (row->metric != metric) continue;
    if (std::find(kinds.begin(), kinds.end(), row->score_kind) == kinds.end()) kinds.push_back(row->score_kind);
    if (std::find(oods.begin(), oods.end(), row->ood_set) == oods.end()) oods.push_back(row->ood_set);
    cell[{row->ood_set, row->score_kind}] = row;
  }
  if (oods.empty()) return;
  const bool higher = higher_is_better(metric);
  out << "<div class=\"wide\"><table class=\"sortable metric\" id=\"" << html_escape(id) << "\"><thead><tr><th>OOD set</th>";
  for (const auto& kind : kinds) out << "<th>" << html_escape(kind) << "</th>";
  out << "</tr></thead><tbody>\n";
  for (const auto& ood : oods) {
    double best = higher ? -INFINITY : INFINITY;
    for (const auto& kind : kinds) {
      const auto it = cell.find({ood, kind});
      if (it != cell.end() && std::isfinite(it->second->mean)) best = higher ? std::max(best, it->second->mean) : std::min(best, it->second->mean);
    }
    out << "<tr><td>" << html_escape(ood) << "</td>";
    for (const auto& kind : kinds) {
      const auto it = cell.find({ood, kind});
      if (it == cell.end()) {
        out << "<td class=\"muted\">-</td>";
        continue;
      }
      const MetricRow& m = *it->second;
      out << "<td" << (m.mean == best ? " class=\"best\"" : "") << ">" << percent(m.mean);
      if (m.runs > 1 && std::isfinite(m.std)) out << " &plusmn; " << percent(m.std);
      out << "</td>";
    }
    out << "</tr>\n";
  }
  out << "</tbody></table></div>\n";
}

void metrics_section(std::ostringstream& out, const ReportData& data) {
  out << "<h2 id=\"metrics-heading\">Anomaly detection</h2>\n<p>AUROC (%) per in-distribution set: score kind "
         "against OOD set, the best score of each row in bold; mean &plusmn; sample std over seeds for a stage "
         "that aggregates several runs. Other metrics under each table.</p>\n";
  bool any = false;
  for (const RunReport& run : data.runs) {
    if (run.metrics.empty()) continue;
    std::vector<std::string> in_sets, metrics;
    for (const MetricRow& m : run.metrics) {
      if (std::find(in_sets.begin(), in_sets.end(), m.in_set) == in_sets.end()) in_sets.push_back(m.in_set);
      if (std::find(metrics.begin(), metrics.end(), m.metric) == metrics.end()) metrics.push_back(m.metric);
    }
    for (const auto& in_set : in_sets) {
      std::vector<const MetricRow*> rows;
      int seeds = 0;
      for (const MetricRow& m : run.metrics) {
        if (m.in_set != in_set) continue;
        rows.push_back(&m);
        seeds = std::max(seeds, m.runs);
      }
      any = true;
      out << "<h3>" << html_escape(run.row.stage) << " <span class=\"muted\">(<a href=\"#" << run.anchor << "\">"
          << html_escape(run.row.name) << "</a>" << (seeds > 1 ? ", " + std::to_string(seeds) + " runs" : std::string())
          << ")</span>: in-distribution " << html_escape(in_set) << "</h3>\n";
      metric_table(out, rows, "auroc", "auroc-" + run.anchor + "-" + in_set);
      for (const auto& metric : metrics) {
        if (metric == "auroc") continue;
        out << "<details><summary>" << html_escape(metric) << "</summary>\n";
        metric_table(out, rows, metric, metric + "-" + run.anchor + "-" + in_set);
        out << "</details>\n";
      }
    }
  }
  if (!any) out << "<p class=\"muted\">No run has been analysed yet.</p>\n";
}

}  // namespace

std::string render_report_html(const ReportData& data) {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>hierad: "
      << html_escape(data.title) << "</title>\n<style>" << kStyle << "</style></head><body>\n";
  out << "<h1>hierad: " << html_escape(data.title) << "</h1>\n<p class=\"muted\">Generated " << html_escape(data.generated)
      << " by <code>hierad report</code>; <code>hierad sweep</code> remakes it after every step.</p>\n";
  status_section(out, data);
  metrics_section(out, data);
  out << "<h2 id=\"curves-heading\">Training</h2>\n";
  if (data.curves.empty()) out << "<p class=\"muted\">No training curves yet.</p>\n";
  for (const StageCurves& stage : data.curves) {
    out << "<h3>" << html_escape(stage.stage) << "</h3>\n";
    for (const ImageLink& image : stage.images) figure(out, image);
  }
  out << "<h2 id=\"runs-heading\">Runs</h2>\n";
  for (const RunReport& run : data.runs) {
    out << "<section id=\"" << run.anchor << "\"><h3>" << html_escape(run.row.stage) << " " << html_escape(run.row.name)
        << " <span class=\"muted\">" << html_escape(run.row.state)
        << (run.row.sweep_values != "-" ? ", " + html_escape(run.row.sweep_values) : std::string()) << "</span></h3>\n";
    if (!run.report_md.empty()) out << "<p><a href=\"" << html_escape(run.report_md) << "\">report.md</a></p>\n";
    for (const ImageLink& image : run.samples) figure(out, image, "samples");
    if (!run.plots.empty()) {
      out << "<details><summary>" << run.plots.size() << " plots: ROC curves, histograms, per-scale terms</summary>\n";
      for (const ImageLink& image : run.plots) figure(out, image);
      out << "</details>\n";
    }
    out << "</section>\n";
  }
  if (!data.notes.empty()) {
    out << "<h2>Notes</h2>\n<ul>\n";
    for (const auto& note : data.notes) out << "<li>" << html_escape(note) << "</li>\n";
    out << "</ul>\n";
  }
  out << "<p id=\"image-check\" class=\"muted\"></p>\n<script>" << kScript << "</script>\n</body></html>\n";
  return out.str();
}

}  // namespace hierad::report
