// `hierad sample EXP.toml`: a PNG grid of samples from a run's final checkpoint.
#include "src/cli/commands.hpp"
#include "src/cli/exit_codes.hpp"
#include "src/cli/run_setup.hpp"
#include "src/cli/sample_png.hpp"
#include "src/config/config_io.hpp"
#include "src/model_io/checkpoint_lookup.hpp"
#include "src/util/log.hpp"
#include "storage/durable_file.hpp"

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
  SampleRequest request;
  bool accept_older_checkpoint = false;
};

int run_sample(const SampleArgs& args) {
  const config::ExperimentConfig experiment = config::load_experiment(args.experiment);
  RunSetup setup = make_run_setup(experiment, args.run_dir);
  if (setup.comm->rank() != 0) return kExitOk;  // one image, one writer
  const std::string model = args.checkpoint.empty() ? setup.run_dir.string() : args.checkpoint;
  const model_io::ModelLookup lookup{"sample", "--accept-older-checkpoint", args.accept_older_checkpoint};
  const storage::Checkpoint checkpoint = model_io::read_final_checkpoint(model, lookup);
  const SampleRequest& r = args.request;
  const SamplePng png = sample_png(experiment, checkpoint, r, setup.device);
  const std::filesystem::path output =
      args.output.empty() ? setup.run_dir / ("samples-T" + temperature_text(r.temperature) + ".png")
                          : std::filesystem::path(args.output);
  storage::write_file_atomically(output, std::string(png.bytes.begin(), png.bytes.end()));
  HIERAD_LOG(info) << "wrote " << output.string() << ": " << r.n << " samples at temperature "
                   << temperature_text(r.temperature) << " (seed " << r.seed << ") of " << checkpoint.path.string()
                   << ", " << png.width << "x" << png.height << " px";
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
  app->add_option("--n", args->request.n, "number of samples")->capture_default_str()->check(CLI::Range(1, 4096));
  app->add_option("--temperature", args->request.temperature, "T: the latents' standard deviation")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 10.0));
  app->add_option("--seed", args->request.seed, "seed of the latents (same images on any device)")->capture_default_str();
  app->add_option("--columns", args->request.columns, "tiles per row (default: a square grid)")->check(CLI::Range(0, 4096));
  app->add_option("--output", args->output, "PNG file (default: <run dir>/samples-T<temperature>.png)");
  app->add_flag("--accept-older-checkpoint", args->accept_older_checkpoint,
                "when the run has not finished or its final checkpoint is corrupt, sample its newest valid "
                "checkpoint (with a warning)");
  return {app, [args] { return run_sample(*args); }};
}

}  // namespace hierad::cli
