// Channel conversion (src/data/channels.hpp): the authors' grey weights with the stated rounding,
// grey to RGB by copying, and a converting view that reads the same through every read path.
#include "src/data/channels.hpp"

#include "src/data/make_source.hpp"
#include "tests/data/data_test_util.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace hierad::data {
namespace {

TEST(Channels, GreyIsTheAuthorsWeightedSumRoundedHalfUp) {
  EXPECT_EQ(grey_of_rgb(0, 0, 0), 0);
  EXPECT_EQ(grey_of_rgb(255, 255, 255), 255);  // the weights sum to 0.9999: 254.97
  EXPECT_EQ(grey_of_rgb(255, 0, 0), 76);        // 76.22
  EXPECT_EQ(grey_of_rgb(0, 255, 0), 150);       // 149.69
  EXPECT_EQ(grey_of_rgb(0, 0, 255), 29);        // 29.07
  EXPECT_EQ(grey_of_rgb(100, 150, 200), 141);   // 140.74
  // Every colour: within half a level of the real-valued sum, and exact halves rounded up.
  int halves = 0;
  for (int r = 0; r < 256; ++r) {
    for (int g = 0; g < 256; ++g) {
      for (int b = 0; b < 256; ++b) {
        const long exact = 2989L * r + 5870L * g + 1140L * b;  // 10^4 x the weighted sum
        const int grey = grey_of_rgb(static_cast<std::uint8_t>(r), static_cast<std::uint8_t>(g),
                                     static_cast<std::uint8_t>(b));
        const long diff = 10000L * grey - exact;
        ASSERT_TRUE(diff > -5000 && diff <= 5000) << r << " " << g << " " << b;
        if (diff == 5000) ++halves;
      }
    }
  }
  EXPECT_GT(halves, 0);  // the half-up rule was exercised
}

TEST(Channels, GreyToRgbCopiesAndBackIsTheIdentity) {
  std::vector<std::uint8_t> grey(256), rgb(3 * 256), back(256);
  for (int v = 0; v < 256; ++v) grey[static_cast<std::size_t>(v)] = static_cast<std::uint8_t>(v);
  convert_channels(grey.data(), 1, rgb.data(), 3, 256, 1);
  for (int c = 0; c < 3; ++c)
    for (int v = 0; v < 256; ++v) ASSERT_EQ(rgb[static_cast<std::size_t>(c * 256 + v)], v);
  convert_channels(rgb.data(), 3, back.data(), 1, 256, 1);
  EXPECT_EQ(back, grey);
}

TEST(Channels, ViewConvertsEveryReadPathAlike) {
  const Shape rgb{3, 4, 4};
  auto owned = std::make_unique<test::PatternSource>(20, rgb, 10, 5);
  const test::PatternSource& inner = *owned;
  const auto grey = with_channels(std::move(owned), 1);
  EXPECT_EQ(grey->shape(), (Shape{1, 4, 4}));
  EXPECT_EQ(grey->size(), 20);
  EXPECT_EQ(grey->label(7), 7);
  EXPECT_NE(grey->name().find("as grey"), std::string::npos);
  std::vector<std::uint8_t> expected(20 * 16);
  for (std::int64_t i = 0; i < 20; ++i) {
    const auto px = inner.image(i);
    for (std::size_t p = 0; p < 16; ++p) expected[static_cast<std::size_t>(i) * 16 + p] = grey_of_rgb(px[p], px[16 + p], px[32 + p]);
  }
  std::vector<std::uint8_t> many(20 * 16), picked(3 * 16);
  grey->read_many(0, 20, many.data());
  EXPECT_EQ(many, expected);
  EXPECT_EQ(test::read_image(*grey, 13), std::vector<std::uint8_t>(expected.begin() + 13 * 16, expected.begin() + 14 * 16));
  const std::int64_t indices[3] = {19, 2, 3};
  grey->read_indices(indices, 3, picked.data());
  for (int k = 0; k < 3; ++k)
    for (std::size_t p = 0; p < 16; ++p)
      ASSERT_EQ(picked[static_cast<std::size_t>(k) * 16 + p], expected[static_cast<std::size_t>(indices[k]) * 16 + p]);
}

TEST(Channels, SameCountIsTheSourceItselfAndBadCountsAreErrors) {
  auto owned = std::make_unique<test::PatternSource>(2, Shape{3, 4, 4});
  const Source* raw = owned.get();
  auto same = with_channels(std::move(owned), 3);
  EXPECT_EQ(same.get(), raw);
  EXPECT_EQ(with_channels(std::move(same), 0).get(), raw);
  test::expect_data_error([] { with_channels(std::make_unique<test::PatternSource>(2, Shape{3, 4, 4}), 2); },
                          "pattern", "channels = 2");
  test::expect_data_error([] { with_channels(std::make_unique<test::PatternSource>(2, Shape{2, 4, 4}), 1); },
                          "pattern", "images of 2 channels");
}

TEST(Channels, MakeSourceDeliversTheModelsCountUnlessTheSourceSetsItsOwn) {
  test::TempDir dir;
  // Two CIFAR-10 records (label byte + 3072 bytes of R, G, B planes).
  std::vector<std::uint8_t> bytes;
  for (int i = 0; i < 2; ++i) {
    bytes.push_back(static_cast<std::uint8_t>(i));
    for (int k = 0; k < 3072; ++k) bytes.push_back(test::pattern_byte(i, k));
  }
  test::write_bytes(dir / "data_batch_1.bin", bytes);
  config::SourceConfig c;
  c.format = "cifar10";
  c.path = (dir / "data_batch_1.bin").string();
  EXPECT_EQ(make_source(c, kChannelsAsStored)->shape().channels, 3);
  const auto grey = make_source(c, 1);
  ASSERT_EQ(grey->shape(), (Shape{1, 32, 32}));
  const auto px = test::read_image(*grey, 1);
  for (std::size_t p = 0; p < 1024; ++p)
    ASSERT_EQ(px[p], grey_of_rgb(bytes[3073 + 1 + p], bytes[3073 + 1 + 1024 + p], bytes[3073 + 1 + 2048 + p]));
  c.channels = 3;  // the source's own count wins over the model's
  EXPECT_EQ(make_source(c, 1)->shape().channels, 3);
}

}  // namespace
}  // namespace hierad::data
