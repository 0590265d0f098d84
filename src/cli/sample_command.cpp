// `hierad sample EXP.toml`: a PNG grid of samples from a run's final checkpoint.
#include "src/cli/commands.hpp"
#include "src/cli/exit_codes.hpp"
#include "src/cli/run_setup.hpp"
#include "analysis/png_complexity.hpp"
#include "src/config/config_io.hpp"
#include "src/model_io/checkpoint_lookup.hpp"
#include "src/model_io/glow_factory.hpp"
#include "src/model_io/model_state.hpp"
#include "src/score/sample_grid.hpp"
#include "src/util/log.hpp"
#include "storage/durable_file.hpp"

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

namespace hierad::cli {
namespace {

struct SampleArgs {
  std::string experiment;
  std::string run_dir;
  std::string checkpoint;
  std::string output;
  std::int64_t n = 64;
  double temperature = 0.7;
  std::uint64_t seed = 0;
  int columns = 0;
  bool accept_older_checkpoint = false;
};

std::string temperature_text(double t) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", t);
  return text;
}

int run_sample(const SampleArgs& args) {
  const config::ExperimentConfig experiment = config::load_experiment(args.experiment);
  RunSetup setup = make_run_setup(experiment, args.run_dir);
  if (setup.comm->rank() != 0) return kExitOk;  // one image, one writer
  const std::string model = args.checkpoint.empty() ? setup.run_dir.string() : args.checkpoint;
  const model_io::ModelLookup lookup{"sample", "--accept-older-checkpoint", args.accept_older_checkpoint};
  const storage::Checkpoint checkpoint = model_io::read_final_checkpoint(model, lookup);
  model::Glow glow(model_io::glow_options(experiment.model));
  glow->to(setup.device);
  model_io::load_model_state(checkpoint, *glow);
  const score::ImageGrid grid =
      score::tile_images(score::sample_levels(glow, args.n, args.temperature, args.seed), args.columns);
  const std::vector<std::uint8_t> png =
      analysis::encode_png_max_compression({grid.pixels.data(), grid.channels, grid.height, grid.width});
  const std::filesystem::path output =
      args.output.empty() ? setup.run_dir / ("samples-T" + temperature_text(args.temperature) + ".png")
                          : std::filesystem::path(args.output);
  storage::write_file_atomically(output, std::string(png.begin(), png.end()));
  HIERAD_LOG(info) << "wrote " << output.string() << ": " << args.n << " samples at temperature "
                   << temperature_text(args.temperature) << " (seed " << args.seed << ") of "
                   << checkpoint.path.string() << ", " << grid.width << "x" << grid.height << " px";
  return kExitOk;
}

}  // namespace

Command add_sample_command(CLI::App& parent) {
  auto args = std::make_shared<SampleArgs>();
  CLI::App* app = parent.add_subcommand(
      "sample", "Write a PNG grid of samples of a trained Glow: x from z ~ N(0, T^2 I) through the\n"
                "inverse, as 8-bit levels, from the final checkpoint of the run (grey or RGB as the model).");
  app->add_option("experiment", args->experiment, "experiment TOML file")->required()->check(CLI::ExistingFile);
  app->add_option("--run-dir", args->run_dir, "run directory (default: as hierad train chooses it)");
  app->add_option("--checkpoint", args->checkpoint, "checkpoint file or run directory (default: this run)");
  app->add_option("--n", args->n, "number of samples")->capture_default_str()->check(CLI::Range(1, 4096));
  app->add_option("--temperature", args->temperature, "T: the latents' standard deviation")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 10.0));
  app->add_option("--seed", args->seed, "seed of the latents (same images on any device)")->capture_default_str();
  app->add_option("--columns", args->columns, "tiles per row (default: a square grid)")->check(CLI::Range(0, 4096));
  app->add_option("--output", args->output, "PNG file (default: <run dir>/samples-T<temperature>.png)");
  app->add_flag("--accept-older-checkpoint", args->accept_older_checkpoint,
                "when the run has not finished or its final checkpoint is corrupt, sample its newest valid "
                "checkpoint (with a warning)");
  return {app, [args] { return run_sample(*args); }};
}

}  // namespace hierad::cli
