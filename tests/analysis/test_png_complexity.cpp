// The PNG encoder: a real, decodable PNG of the CHW image, at least as small as libpng's defaults.
#include "analysis/png_complexity.hpp"

#include <png.h>

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <stdexcept>
#include <vector>

namespace hierad::analysis {
namespace {

std::vector<std::uint8_t> random_image(int c, int h, int w, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint8_t> v(static_cast<std::size_t>(c * h * w));
  for (auto& p : v) p = static_cast<std::uint8_t>(rng() & 0xFF);
  return v;
}

// A smooth image with mild noise: compressible, so compression settings matter.
std::vector<std::uint8_t> natural_image(int c, int h, int w) {
  std::mt19937 rng(3);
  std::vector<std::uint8_t> v(static_cast<std::size_t>(c * h * w));
  for (int ch = 0; ch < c; ++ch)
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        v[static_cast<std::size_t>((ch * h + y) * w + x)] =
            static_cast<std::uint8_t>((x * 4 + y * 3 + ch * 40 + static_cast<int>(rng() % 5)) & 0xFF);
  return v;
}

// Decodes with libpng's simplified API (independent of our writer) into CHW.
std::vector<std::uint8_t> decode_to_chw(const std::vector<std::uint8_t>& png, int channels, int& h, int& w) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, png.data(), png.size())) {
    ADD_FAILURE() << "not a PNG: " << image.message;
    return {};
  }
  image.format = channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  std::vector<std::uint8_t> interleaved(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, interleaved.data(), 0, nullptr)) {
    ADD_FAILURE() << "decode failed: " << image.message;
    return {};
  }
  h = static_cast<int>(image.height);
  w = static_cast<int>(image.width);
  std::vector<std::uint8_t> chw(interleaved.size());
  const std::size_t plane = static_cast<std::size_t>(h * w);
  for (int ch = 0; ch < channels; ++ch)
    for (std::size_t i = 0; i < plane; ++i) chw[ch * plane + i] = interleaved[i * channels + ch];
  return chw;
}

TEST(PngComplexity, RoundTripsRgbAndGreyThroughAnIndependentDecoder) {
  for (const int channels : {1, 3}) {
    const int h = 32, w = 24;  // not square: catches swapped height and width
    const auto pixels = random_image(channels, h, w, 42u + channels);
    const auto png = encode_png_max_compression({pixels.data(), channels, h, w});
    ASSERT_GE(png.size(), 8u);
    EXPECT_EQ(png[0], 0x89);
    EXPECT_EQ(std::memcmp(png.data() + 1, "PNG", 3), 0);
    int dh = 0, dw = 0;
    EXPECT_EQ(decode_to_chw(png, channels, dh, dw), pixels) << channels << " channel(s)";
    EXPECT_EQ(dh, h);
    EXPECT_EQ(dw, w);
  }
}

TEST(PngComplexity, BitsPerDimIsEightTimesTheFileLengthOverDimensions) {
  const auto pixels = natural_image(3, 32, 32);
  const ImageCHW image{pixels.data(), 3, 32, 32};
  EXPECT_DOUBLE_EQ(png_bits_per_dim(image), 8.0 * static_cast<double>(encode_png_max_compression(image).size()) / 3072.0);
}

TEST(PngComplexity, SimpleImagesCostFewerBitsThanNoise) {
  const std::vector<std::uint8_t> flat(3 * 32 * 32, 128);
  const auto noise = random_image(3, 32, 32, 9);
  const auto natural = natural_image(3, 32, 32);
  const double flat_bpd = png_bits_per_dim({flat.data(), 3, 32, 32});
  const double natural_bpd = png_bits_per_dim({natural.data(), 3, 32, 32});
  const double noise_bpd = png_bits_per_dim({noise.data(), 3, 32, 32});
  EXPECT_LT(flat_bpd, 0.5);          // 3072 equal bytes: headers dominate
  EXPECT_LT(flat_bpd, natural_bpd);
  EXPECT_LT(natural_bpd, noise_bpd);
  EXPECT_GT(noise_bpd, 8.0);         // incompressible data plus PNG framing
}

TEST(PngComplexity, NoLargerThanLibpngsDefaultSettings) {
  const auto pixels = natural_image(3, 32, 32);
  const auto ours = encode_png_max_compression({pixels.data(), 3, 32, 32});
  // libpng's simplified writer with its default compression, on the interleaved image.
  std::vector<std::uint8_t> interleaved(pixels.size());
  for (int ch = 0; ch < 3; ++ch)
    for (int i = 0; i < 32 * 32; ++i) interleaved[static_cast<std::size_t>(i * 3 + ch)] = pixels[static_cast<std::size_t>(ch * 1024 + i)];
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  image.width = 32;
  image.height = 32;
  image.format = PNG_FORMAT_RGB;
  png_alloc_size_t size = 0;
  ASSERT_TRUE(png_image_write_to_memory(&image, nullptr, &size, 0, interleaved.data(), 0, nullptr));
  std::vector<std::uint8_t> reference(size);
  ASSERT_TRUE(png_image_write_to_memory(&image, reference.data(), &size, 0, interleaved.data(), 0, nullptr));
  EXPECT_LE(ours.size(), size);
}

TEST(PngComplexity, RejectsImagesPngCannotHold) {
  const std::vector<std::uint8_t> pixels(2 * 4 * 4, 0);
  EXPECT_THROW(encode_png_max_compression({pixels.data(), 2, 4, 4}), std::invalid_argument);
  EXPECT_THROW(encode_png_max_compression({pixels.data(), 1, 0, 4}), std::invalid_argument);
  EXPECT_THROW(encode_png_max_compression({nullptr, 1, 4, 4}), std::invalid_argument);
}

}  // namespace
}  // namespace hierad::analysis
