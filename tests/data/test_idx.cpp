// MNIST-style IDX files, raw and gzip, written at test time.
#include "src/data/idx.hpp"

#include "tests/data/data_test_util.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace hierad::data {
namespace {

using test::expect_data_error;
using test::gzip_bytes;
using test::idx_images;
using test::idx_labels;
using test::TempDir;
using test::write_bytes;

// n images of 28x28: a horizontal ramp col*9 plus i (so images differ), and labels i % 10.
std::vector<std::uint8_t> ramp_pixels(int n) {
  std::vector<std::uint8_t> p;
  for (int i = 0; i < n; ++i)
    for (int row = 0; row < 28; ++row)
      for (int col = 0; col < 28; ++col) p.push_back(static_cast<std::uint8_t>(col * 9 + i));
  return p;
}
std::vector<std::uint8_t> labels_for(int n) {
  std::vector<std::uint8_t> l;
  for (int i = 0; i < n; ++i) l.push_back(static_cast<std::uint8_t>(i % 10));
  return l;
}

class IdxCompression : public ::testing::TestWithParam<bool> {};

TEST_P(IdxCompression, ResizesTwentyEightToThirtyTwoBilinearly) {
  const bool gz = GetParam();
  TempDir dir;
  const int n = 5;
  auto images = idx_images(n, 28, 28, ramp_pixels(n));
  auto labels = idx_labels(labels_for(n));
  write_bytes(dir / "img", gz ? gzip_bytes(images) : images);
  write_bytes(dir / "lbl", gz ? gzip_bytes(labels) : labels);
  IdxSource src(dir / "img", dir / "lbl");
  ASSERT_EQ(src.size(), n);
  EXPECT_EQ(src.shape(), (Shape{1, 32, 32}));
  EXPECT_EQ(src.stored_rows(), 28);
  for (int i = 0; i < n; ++i) {
    EXPECT_EQ(src.label(i), i % 10);
    const auto img = test::read_image(src, i);
    // Bilinear interpolation reproduces a linear ramp exactly: output column x samples the input
    // at (x + 0.5) * 28/32 - 0.5 (half-pixel centres), clamped to the edge pixels.
    for (int x = 0; x < 32; ++x) {
      const double src_x = std::clamp((x + 0.5) * 28.0 / 32.0 - 0.5, 0.0, 27.0);
      const auto expected = static_cast<int>(std::lround(9.0 * src_x + i));
      for (int y = 0; y < 32; ++y) ASSERT_EQ(img[static_cast<std::size_t>(y * 32 + x)], expected) << "x " << x << " y " << y;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(RawAndGzip, IdxCompression, ::testing::Values(false, true));

TEST(Idx, ThirtyTwoByThirtyTwoImagesComeBackUnchanged) {
  TempDir dir;
  std::vector<std::uint8_t> pixels;
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 1024; ++k) pixels.push_back(test::pattern_byte(i, k));
  write_bytes(dir / "img.gz", gzip_bytes(idx_images(3, 32, 32, pixels)));
  IdxSource src(dir / "img.gz");
  EXPECT_EQ(src.label(0), -1);
  for (int i = 0; i < 3; ++i) {
    const auto img = test::read_image(src, i);
    ASSERT_TRUE(std::equal(img.begin(), img.end(), pixels.begin() + i * 1024)) << i;
  }
}

TEST(Idx, SplitFilesOfAFolderWithOrWithoutGz) {
  TempDir dir;
  write_bytes(dir / "train-images-idx3-ubyte.gz", gzip_bytes(idx_images(4, 28, 28, ramp_pixels(4))));
  write_bytes(dir / "train-labels-idx1-ubyte.gz", gzip_bytes(idx_labels(labels_for(4))));
  write_bytes(dir / "t10k-images-idx3-ubyte", idx_images(2, 28, 28, ramp_pixels(2)));
  auto train = idx_split_files(dir.path(), "train");
  EXPECT_EQ(train.images, dir / "train-images-idx3-ubyte.gz");
  EXPECT_EQ(train.labels, dir / "train-labels-idx1-ubyte.gz");
  auto test = idx_split_files(dir.path(), "test");
  EXPECT_EQ(test.images, dir / "t10k-images-idx3-ubyte");
  EXPECT_TRUE(test.labels.empty());
  EXPECT_EQ(IdxSource(test.images).size(), 2);
}

TEST(Idx, BadInputNamesTheFile) {
  TempDir dir;
  expect_data_error([&] { IdxSource s(dir / "none"); }, dir / "none", "does not exist");

  write_bytes(dir / "labels_as_images", idx_labels(labels_for(3)));
  expect_data_error([&] { IdxSource s(dir / "labels_as_images"); }, dir / "labels_as_images",
                    "wrong IDX magic number 0x00000801, expected 0x00000803");

  auto images = idx_images(3, 28, 28, ramp_pixels(3));
  write_bytes(dir / "img", images);
  write_bytes(dir / "img_as_labels", images);
  expect_data_error([&] { IdxSource s(dir / "img", dir / "img_as_labels"); }, dir / "img_as_labels",
                    "wrong IDX magic number 0x00000803, expected 0x00000801");

  auto cut = images;
  cut.resize(cut.size() - 100);
  write_bytes(dir / "cut", cut);
  expect_data_error([&] { IdxSource s(dir / "cut"); }, dir / "cut", "truncated");
  write_bytes(dir / "cut.gz", gzip_bytes(cut));
  expect_data_error([&] { IdxSource s(dir / "cut.gz"); }, dir / "cut.gz", "truncated");

  // A gzip stream cut in the middle (the compressed bytes themselves are truncated).
  auto gz = gzip_bytes(images);
  gz.resize(gz.size() / 2);
  write_bytes(dir / "broken.gz", gz);
  expect_data_error([&] { IdxSource s(dir / "broken.gz"); }, dir / "broken.gz", "");

  auto longer = images;
  longer.push_back(1);
  write_bytes(dir / "long", longer);
  expect_data_error([&] { IdxSource s(dir / "long"); }, dir / "long", "has data after the 3 images");

  write_bytes(dir / "few_labels", idx_labels(labels_for(2)));
  expect_data_error([&] { IdxSource s(dir / "img", dir / "few_labels"); }, dir / "few_labels",
                    "has 2 labels for the 3 images");

  write_bytes(dir / "tiny", {0, 0, 8});
  expect_data_error([&] { IdxSource s(dir / "tiny"); }, dir / "tiny", "too short for an IDX header");

  expect_data_error([&] { idx_split_files(dir.path(), "train"); }, dir / "train-images-idx3-ubyte.gz",
                    "does not exist");
}

}  // namespace
}  // namespace hierad::data
