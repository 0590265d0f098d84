#include "src/score/sample_grid.hpp"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace hierad::score {

at::Tensor to_levels(const at::Tensor& x) {
  return at::clamp(at::floor((x.to(at::kCPU, at::kDouble) + 0.5) * 256.0), 0.0, 255.0).to(at::kByte).contiguous();
}

at::Tensor sample_levels(model::Glow& glow, std::int64_t n, double temperature, std::uint64_t seed) {
  glow->eval();
  at::Generator generator = at::detail::createCPUGenerator(seed);
  return to_levels(glow->sample(n, temperature, generator));
}

ImageGrid tile_images(const at::Tensor& images, int columns, int gap) {
  if (images.dim() != 4 || images.scalar_type() != at::kByte || !images.device().is_cpu()) {
    throw std::invalid_argument("tile_images: expected uint8 CPU images [N, C, S, S]");
  }
  const auto n = images.size(0);
  const auto c = static_cast<int>(images.size(1));
  const auto h = static_cast<int>(images.size(2));
  const auto w = static_cast<int>(images.size(3));
  if (n == 0) throw std::invalid_argument("tile_images: no images");
  if (columns <= 0) {
    columns = 1;
    while (static_cast<std::int64_t>(columns) * columns < n) ++columns;
  }
  const auto rows = static_cast<int>((n + columns - 1) / columns);
  ImageGrid grid;
  grid.channels = c;
  grid.height = rows * h + (rows + 1) * gap;
  grid.width = columns * w + (columns + 1) * gap;
  grid.pixels.assign(static_cast<std::size_t>(c) * grid.height * grid.width, 255);
  const at::Tensor contiguous = images.contiguous();
  const std::uint8_t* in = contiguous.data_ptr<std::uint8_t>();
  for (std::int64_t i = 0; i < n; ++i) {
    const int top = gap + static_cast<int>(i / columns) * (h + gap);
    const int left = gap + static_cast<int>(i % columns) * (w + gap);
    for (int ch = 0; ch < c; ++ch) {
      for (int y = 0; y < h; ++y) {
        const std::uint8_t* src = in + ((i * c + ch) * h + y) * w;
        std::uint8_t* dst = grid.pixels.data() + (static_cast<std::size_t>(ch) * grid.height + top + y) * grid.width + left;
        std::copy(src, src + w, dst);
      }
    }
  }
  return grid;
}

}  // namespace hierad::score
