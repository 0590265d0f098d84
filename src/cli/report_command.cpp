// `hierad report DIR`: DIR/report/index.html, one offline page for a sweep's runs (or one run):
// status, training curves, the anomaly metrics, each run's plots and sample grids.
#include "src/cli/commands.hpp"
#include "src/cli/exit_codes.hpp"
#include "src/cli/sample_png.hpp"
#include "src/config/config_io.hpp"
#include "src/model_io/checkpoint_lookup.hpp"
#include "src/report/report_page.hpp"
#include "src/util/log.hpp"
#include "storage/durable_file.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hierad::cli {
namespace {

namespace fs = std::filesystem;

struct ReportArgs {
  std::string dir;
  std::string output;
  std::vector<double> temperatures = {0.5, 0.7, 1.0};
  std::int64_t samples = 36;
  bool no_samples = false;
};

std::string slug(const std::string& text) {
  std::string out;
  for (const char c : text) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
  return out;
}

std::string link(const fs::path& target, const fs::path& page_dir) { return fs::relative(target, page_dir).generic_string(); }

std::string now_text() {
  const std::time_t now = std::time(nullptr);
  char text[40];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S %Z", std::localtime(&now));
  return text;
}

fs::file_time_type newest_checkpoint_time(const fs::path& run) {
  fs::file_time_type newest{};
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator(run / "checkpoints", ignored)) {
    if (entry.path().extension() == ".h5") newest = std::max(newest, entry.last_write_time(ignored));
  }
  return newest;
}

// Sample grids of a finished run at each temperature, made again only when its checkpoints are
// newer than the grid (a report after every sweep step must not resample every model).
void add_samples(const ReportArgs& args, const fs::path& out, report::RunReport& run, std::vector<std::string>& notes) {
  const fs::path dir = run.row.dir;
  std::error_code ignored;
  if (run.row.state != "done" || !fs::is_directory(dir / "checkpoints", ignored)) return;
  const fs::file_time_type checkpoint_time = newest_checkpoint_time(dir);
  std::optional<config::ExperimentConfig> experiment;
  std::optional<storage::Checkpoint> checkpoint;
  for (const double t : args.temperatures) {
    const std::string temperature = temperature_text(t);
    const fs::path path = out / "samples" / (run.anchor + "-T" + temperature + ".png");
    const std::string caption = "samples at T = " + temperature;
    if (!fs::exists(path, ignored) || fs::last_write_time(path, ignored) < checkpoint_time) {
      try {
        if (!experiment) experiment = config::load_experiment((dir / "config.toml").string());
        if (!checkpoint) checkpoint = model_io::read_final_checkpoint(dir.string(), {"report", "", false});
        SampleRequest request;
        request.n = args.samples;
        request.temperature = t;
        const SamplePng png = sample_png(*experiment, *checkpoint, request, at::kCPU);
        storage::write_file_atomically(path, std::string(png.bytes.begin(), png.bytes.end()));
      } catch (const std::exception& error) {
        notes.push_back(run.row.name + ": no samples: " + error.what());
        return;
      }
    }
    run.samples.push_back({link(path, out), caption});
  }
}

// Training curves of every stage (analysis/plots/plot_curves.py, matplotlib), from the runs'
// metrics.h5; returns the images per stage.
std::vector<report::StageCurves> draw_curves(const std::vector<report::RunReport>& runs, const fs::path& out,
                                             std::vector<std::string>& notes) {
  const fs::path curves = out / "curves";
  fs::create_directories(curves);
  std::string index = "[";
  std::vector<std::string> stages;
  for (const report::RunReport& run : runs) {
    std::error_code ignored;
    if (!fs::is_regular_file(run.row.dir / "metrics.h5", ignored)) continue;
    if (std::find(stages.begin(), stages.end(), run.row.stage) == stages.end()) stages.push_back(run.row.stage);
    if (index.size() > 1) index += ",";
    index += "\n {\"run\": \"" + run.row.name + "\", \"stage\": \"" + run.row.stage + "\", \"metrics\": \"" +
             (run.row.dir / "metrics.h5").string() + "\"}";
  }
  index += "\n]\n";
  storage::write_file_atomically(curves / "runs.json", index);
  std::vector<report::StageCurves> result;
  if (stages.empty()) return result;
  const std::string command = "/usr/bin/python3 '" HIERAD_SOURCE_DIR "/analysis/plots/plot_curves.py' --index '" +
                              (curves / "runs.json").string() + "' --out '" + curves.string() + "' > '" +
                              (curves / "plot.log").string() + "' 2>&1";
  if (std::system(command.c_str()) != 0) {
    notes.push_back("training curves not drawn: " + command + " failed (see " + (curves / "plot.log").string() + ")");
  }
  for (const std::string& stage : stages) {
    report::StageCurves stage_curves{stage, {}};
    for (const auto& [suffix, caption] : std::vector<std::pair<std::string, std::string>>{
             {"bpd", "bits/dim: training (solid) and validation (markers)"},
             {"skipped", "skipped steps (non-finite loss or gradient)"},
             {"comm", "share of step time waiting for gradient communication"}}) {
      const fs::path image = curves / (slug(stage) + "_" + suffix + ".png");
      if (fs::exists(image)) stage_curves.images.push_back({link(image, out), caption});
    }
    result.push_back(std::move(stage_curves));
  }
  return result;
}

int run_report(const ReportArgs& args) {
  const fs::path dir = args.dir;
  const fs::path out = args.output.empty() ? dir / "report" : fs::path(args.output);
  storage::require_writable_directory(out / "samples");
  report::ReportData data;
  data.title = fs::absolute(dir).lexically_normal().string();
  data.generated = now_text();
  for (const sweep::RunRow& row : sweep::status_rows(dir)) {
    report::RunReport run;
    run.row = row;
    run.anchor = "run-" + slug(row.name);
    const fs::path analysis = row.dir / "report";
    std::error_code ignored;
    if (fs::is_regular_file(analysis / "metrics.csv", ignored)) {
      try {
        run.metrics = report::read_metrics_csv(analysis / "metrics.csv");
      } catch (const std::exception& error) {
        data.notes.push_back(error.what());
      }
    }
    if (fs::is_regular_file(analysis / "report.md", ignored)) run.report_md = link(analysis / "report.md", out);
    std::vector<fs::path> plots;
    for (const auto& entry : fs::directory_iterator(analysis, ignored)) {
      if (entry.path().extension() == ".png") plots.push_back(entry.path());
    }
    std::sort(plots.begin(), plots.end());
    for (const fs::path& plot : plots) run.plots.push_back({link(plot, out), plot.stem().string()});
    if (!args.no_samples) add_samples(args, out, run, data.notes);
    data.runs.push_back(std::move(run));
  }
  data.curves = draw_curves(data.runs, out, data.notes);
  storage::write_file_atomically(out / "index.html", report::render_report_html(data));
  for (const std::string& note : data.notes) HIERAD_LOG(warn) << note;
  HIERAD_LOG(info) << "wrote " << (out / "index.html").string() << " (" << data.runs.size() << " runs)";
  return kExitOk;
}

}  // namespace

Command add_report_command(CLI::App& parent) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App* app = parent.add_subcommand(
      "report", "Write DIR/report/index.html: one offline page (open it with file://) for the runs at DIR\n"
                "(a sweep's output directory, runs/, or one run): status table, training curves, the\n"
                "anomaly metrics per in-distribution set, each run's plots and sample grids.");
  app->add_option("dir", args->dir, "a run directory, an experiment's folder of runs, or the runs root")
      ->required()
      ->check(CLI::ExistingDirectory);
  app->add_option("--output", args->output, "folder of the page (default: DIR/report)");
  app->add_option("--temperatures", args->temperatures, "sample grid temperatures")->capture_default_str();
  app->add_option("--samples", args->samples, "samples per grid")->capture_default_str()->check(CLI::Range(1, 1024));
  app->add_flag("--no-samples", args->no_samples, "no sample grids (no model is loaded)");
  return {app, [args] { return run_report(*args); }, /*uses_mpi=*/false};
}

}  // namespace hierad::cli
