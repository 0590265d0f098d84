#include "src/cli/sample_png.hpp"

#include "analysis/png_complexity.hpp"
#include "src/model_io/glow_factory.hpp"
#include "src/model_io/model_state.hpp"
#include "src/score/sample_grid.hpp"

#include <cstdio>

namespace hierad::cli {

std::string temperature_text(double temperature) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", temperature);
  return text;
}

SamplePng sample_png(const config::ExperimentConfig& experiment, const storage::Checkpoint& checkpoint,
                     const SampleRequest& request, const at::Device& device) {
  model::Glow glow(model_io::glow_options(experiment.model));
  glow->to(device);
  model_io::load_model_state(checkpoint, *glow);
  const score::ImageGrid grid =
      score::tile_images(score::sample_levels(glow, request.n, request.temperature, request.seed), request.columns);
  SamplePng png;
  png.bytes = analysis::encode_png_max_compression({grid.pixels.data(), grid.channels, grid.height, grid.width});
  png.width = grid.width;
  png.height = grid.height;
  return png;
}

}  // namespace hierad::cli
