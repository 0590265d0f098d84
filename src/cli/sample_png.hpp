// A PNG grid of a checkpoint's samples: what `hierad sample` writes and the report shows.
#pragma once

#include "src/config/experiment_config.hpp"
#include "storage/checkpoint.hpp"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace hierad::cli {

struct SampleRequest {
  std::int64_t n = 64;
  double temperature = 0.7;
  std::uint64_t seed = 0;
  int columns = 0;  // 0: a square grid
};

// A temperature as sample file names and captions spell it ("0.70"), in `hierad sample` and the
// report alike.
std::string temperature_text(double temperature);

struct SamplePng {
  std::vector<std::uint8_t> bytes;
  int width = 0;
  int height = 0;
};

// The model of `experiment` with the weights of `checkpoint`, on `device`, sampled and tiled
// (src/score/sample_grid.hpp), as PNG file bytes.
SamplePng sample_png(const config::ExperimentConfig& experiment, const storage::Checkpoint& checkpoint,
                     const SampleRequest& request, const at::Device& device);

}  // namespace hierad::cli
