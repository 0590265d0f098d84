// Samples of a trained Glow as 8-bit images, tiled into one grid image: what `hierad sample`
// writes as a PNG and the sweep report shows for every finished model.
#pragma once

#include "src/model/glow.hpp"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace hierad::score {

// Model inputs x in [-0.5, 0.5] (method.md §3) to the 8-bit level whose bin holds them:
// floor((x + 0.5) * 256) clamped to 0..255, so x = v/256 - 0.5 + u/256 maps back to v for any
// u in [0, 1). uint8 [N, C, H, W] on the CPU.
at::Tensor to_levels(const at::Tensor& x);

// n samples at `temperature`, z ~ N(0, T^2 I) from a CPU generator seeded with `seed` (the same
// images whatever the model's device), as levels. The model is put in eval mode.
at::Tensor sample_levels(model::Glow& glow, std::int64_t n, double temperature, std::uint64_t seed);

// A planar (C, H, W) 8-bit image.
struct ImageGrid {
  int channels = 0;
  int height = 0;
  int width = 0;
  std::vector<std::uint8_t> pixels;
};

// images uint8 [N, C, S, S] (CPU) tiled row by row, `columns` per row (0: the smallest count with
// columns^2 >= N), `gap` white pixels between tiles and around them.
ImageGrid tile_images(const at::Tensor& images, int columns = 0, int gap = 2);

}  // namespace hierad::score
