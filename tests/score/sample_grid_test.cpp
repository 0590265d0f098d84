// Samples as images: the level a model input falls in, the grid layout, and samples that are a
// function of the seed alone, decoded through the model's inverse.
#include "src/score/sample_grid.hpp"

#include "tests/model/model_test_util.hpp"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

namespace hierad::score {
namespace {

TEST(SampleGrid, LevelsAreTheBinsOfTheDequantisation) {
  // x = v/256 - 0.5 + u/256 for every level v and u in [0, 1) maps back to v; the ends clamp.
  const auto v = at::arange(256, at::kDouble);
  for (const double u : {0.0, 0.5, 0.999}) {
    const auto x = (v / 256.0 - 0.5 + u / 256.0).to(at::kFloat);
    EXPECT_TRUE(at::equal(to_levels(x), v.to(at::kByte))) << "u = " << u;
  }
  const auto ends = to_levels(at::tensor({-3.0f, -0.5f, 0.5f, 7.0f}));
  EXPECT_EQ(ends[0].item<std::uint8_t>(), 0);
  EXPECT_EQ(ends[1].item<std::uint8_t>(), 0);
  EXPECT_EQ(ends[2].item<std::uint8_t>(), 255);
  EXPECT_EQ(ends[3].item<std::uint8_t>(), 255);
}

TEST(SampleGrid, TilesGoRowByRowWithWhiteGaps) {
  // 5 RGB 2x3 images (H = 2, W = 3) whose every pixel is 10 * image + channel.
  const auto images = (at::arange(5, at::kByte).view({5, 1, 1, 1}) * 10 + at::arange(3, at::kByte).view({1, 3, 1, 1}))
                          .expand({5, 3, 2, 3})
                          .contiguous();
  const ImageGrid square = tile_images(images.narrow(2, 0, 2).narrow(3, 0, 2).contiguous(), 0, 1);  // 2x2 tiles
  EXPECT_EQ(square.width, 3 * 2 + 4);                                                                  // 3 columns
  EXPECT_EQ(square.height, 2 * 2 + 3);                                                                 // 2 rows
  const ImageGrid grid = tile_images(images, 2, 1);
  ASSERT_EQ(grid.channels, 3);
  ASSERT_EQ(grid.width, 2 * 3 + 3);
  ASSERT_EQ(grid.height, 3 * 2 + 4);
  const auto at_px = [&](int c, int y, int x) { return grid.pixels[(static_cast<std::size_t>(c) * grid.height + y) * grid.width + x]; };
  for (int c = 0; c < 3; ++c) {
    EXPECT_EQ(at_px(c, 0, 0), 255);                // border
    EXPECT_EQ(at_px(c, 1, 1), c);                  // image 0, top left
    EXPECT_EQ(at_px(c, 2, 3), c);                  // image 0, bottom right
    EXPECT_EQ(at_px(c, 1, 4), 255);                // gap between columns
    EXPECT_EQ(at_px(c, 1, 5), 10 + c);             // image 1
    EXPECT_EQ(at_px(c, 4, 1), 20 + c);             // image 2: second row
    EXPECT_EQ(at_px(c, 7, 5), 255);                // no sixth image
    EXPECT_EQ(at_px(c, 7, 1), 40 + c);             // image 4: third row, first column
  }
  EXPECT_THROW(tile_images(images.to(at::kFloat)), std::invalid_argument);
}

TEST(SampleGrid, SamplesAreTheInverseOfSeededLatents) {
  at::manual_seed(5);
  model::Glow glow(model::testing::tiny_options(1, 16, 2, 2, 8));
  glow->initialize(model::testing::test_images(16, 1, 16));
  model::testing::perturb(*glow, 0.05);
  const auto a = sample_levels(glow, 6, 0.7, 42);
  const auto b = sample_levels(glow, 6, 0.7, 42);
  ASSERT_EQ(a.sizes(), (std::vector<std::int64_t>{6, 1, 16, 16}));
  EXPECT_TRUE(at::equal(a, b));
  EXPECT_FALSE(at::equal(a, sample_levels(glow, 6, 0.7, 43)));
  // The same latents by hand: CPU generator, scale order, times T, through reverse.
  at::Generator generator = at::detail::createCPUGenerator(42);
  std::vector<at::Tensor> z;
  for (const auto& shape : glow->latent_shapes()) z.push_back(at::randn({6, shape[0], shape[1], shape[2]}, generator) * 0.7);
  at::NoGradGuard no_grad;
  EXPECT_TRUE(at::equal(a, to_levels(glow->reverse(z))));
  // T = 0: every sample is the image of z = 0.
  const auto cold = sample_levels(glow, 4, 0.0, 1);
  for (int i = 1; i < 4; ++i) EXPECT_TRUE(at::equal(cold[i], cold[0]));
}

}  // namespace
}  // namespace hierad::score
