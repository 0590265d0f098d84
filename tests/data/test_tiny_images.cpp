// 80M Tiny Images: a small tiny_images.bin written at test time with known bytes proves the
// plane-wise column-major layout and the 1-based exclusion list.
#include "src/data/tiny_images.hpp"

#include "src/data/exclusion_list.hpp"
#include "tests/data/data_test_util.hpp"

#include <gtest/gtest.h>

namespace hierad::data {
namespace {

using test::expect_data_error;
using test::TempDir;
using test::write_bytes;
using test::write_text;

// tiny_images.bin bytes for n images, byte k of image i = pattern_byte(i, k).
std::vector<std::uint8_t> tiny_file(std::int64_t n) {
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(n * 3072));
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t k = 0; k < 3072; ++k) bytes[static_cast<std::size_t>(i * 3072 + k)] = test::pattern_byte(i, k);
  return bytes;
}

// Every reading test runs with both ways of reading the file.
class TinyImages : public ::testing::TestWithParam<TinyIo> {};

TEST_P(TinyImages, ByteOfPixelIsPlaneTimes1024PlusColumnTimes32PlusRow) {
  TempDir dir;
  write_bytes(dir / "tiny_images.bin", tiny_file(3));
  TinyImagesSource src(dir / "tiny_images.bin", {}, GetParam());
  EXPECT_EQ(src.io(), GetParam());
  ASSERT_EQ(src.size(), 3);
  EXPECT_EQ(src.shape(), (Shape{3, 32, 32}));
  EXPECT_EQ(src.label(0), -1);
  EXPECT_TRUE(src.streamed());
  for (std::int64_t i = 0; i < 3; ++i) {
    const auto img = test::read_image(src, i);
    for (int c = 0; c < 3; ++c)
      for (int row = 0; row < 32; ++row)
        for (int col = 0; col < 32; ++col)
          ASSERT_EQ(img[static_cast<std::size_t>(c * 1024 + row * 32 + col)], test::pattern_byte(i, c * 1024 + col * 32 + row))
              << "image " << i << " c " << c << " row " << row << " col " << col;
  }
}

TEST_P(TinyImages, FirstThirtyTwoBytesOfAPlaneAreItsLeftColumn) {
  // A picture a person can check: bytes 0..31 of the red plane set, everything else 0. Read
  // column-major, that is the left column of the red channel, not the top row.
  TempDir dir;
  std::vector<std::uint8_t> bytes(3072, 0);
  for (int k = 0; k < 32; ++k) bytes[static_cast<std::size_t>(k)] = 200;
  write_bytes(dir / "t.bin", bytes);
  const auto img = test::read_image(TinyImagesSource(dir / "t.bin", {}, GetParam()), 0);
  for (int row = 0; row < 32; ++row)
    for (int col = 0; col < 32; ++col) {
      EXPECT_EQ(img[static_cast<std::size_t>(row * 32 + col)], col == 0 ? 200 : 0) << row << "," << col;
      EXPECT_EQ(img[static_cast<std::size_t>(1024 + row * 32 + col)], 0);
    }
}

TEST_P(TinyImages, ExclusionListIsOneBasedAndRemovesThoseImages) {
  TempDir dir;
  // Image i of the file is filled with the value i, so what comes back names the file image.
  std::vector<std::uint8_t> bytes;
  for (int i = 0; i < 10; ++i) bytes.insert(bytes.end(), 3072, static_cast<std::uint8_t>(i));
  write_bytes(dir / "tiny.bin", bytes);
  // 1-based 1, 3, 7 and 10 are file images 0, 2, 6 and 9; blank lines, spaces, CRLF and a
  // repeated index are tolerated.
  write_text(dir / "80mn_cifar_idxs.txt", "3\n 7 \r\n\n1\n10\n3\n");
  TinyImagesSource src(dir / "tiny.bin", dir / "80mn_cifar_idxs.txt", GetParam());
  EXPECT_EQ(src.excluded_count(), 4);
  ASSERT_EQ(src.size(), 6);
  const std::vector<int> expected = {1, 3, 4, 5, 7, 8};
  for (std::int64_t i = 0; i < src.size(); ++i) {
    EXPECT_EQ(src.file_index(i), expected[static_cast<std::size_t>(i)]);
    const auto img = test::read_image(src, i);
    EXPECT_EQ(img.front(), expected[static_cast<std::size_t>(i)]);
    EXPECT_EQ(img.back(), expected[static_cast<std::size_t>(i)]);
  }
  // One read_many across the excluded images gives the same as single reads.
  std::vector<std::uint8_t> all(6 * 3072);
  src.read_many(0, 6, all.data());
  for (int i = 0; i < 6; ++i) EXPECT_EQ(all[static_cast<std::size_t>(i * 3072 + 100)], expected[static_cast<std::size_t>(i)]);
}

TEST_P(TinyImages, ReadManyEqualsSingleReads) {
  TempDir dir;
  write_bytes(dir / "tiny.bin", tiny_file(20));
  write_text(dir / "ex.txt", "5\n6\n13\n");
  TinyImagesSource src(dir / "tiny.bin", dir / "ex.txt", GetParam());
  ASSERT_EQ(src.size(), 17);
  std::vector<std::uint8_t> many(static_cast<std::size_t>(12 * 3072));
  src.read_many(2, 12, many.data());
  for (int i = 0; i < 12; ++i) {
    const auto one = test::read_image(src, 2 + i);
    ASSERT_TRUE(std::equal(one.begin(), one.end(), many.begin() + i * 3072)) << i;
  }
}

TEST_P(TinyImages, BadInputNamesTheFile) {
  TempDir dir;
  expect_data_error([&] { TinyImagesSource s(dir / "missing.bin", {}, GetParam()); }, dir / "missing.bin", "cannot open");
  write_bytes(dir / "short.bin", std::vector<std::uint8_t>(3072 * 2 + 5));
  expect_data_error([&] { TinyImagesSource s(dir / "short.bin", {}, GetParam()); }, dir / "short.bin",
                    "not a whole number of 3072-byte images");

  write_bytes(dir / "tiny.bin", std::vector<std::uint8_t>(3072 * 4));
  write_text(dir / "word.txt", "1\n2\nabc\n");
  expect_data_error([&] { TinyImagesSource s(dir / "tiny.bin", dir / "word.txt", GetParam()); }, dir / "word.txt",
                    "line 3: 'abc' is not a positive integer");
  write_text(dir / "frac.txt", "2.5\n");
  expect_data_error([&] { TinyImagesSource s(dir / "tiny.bin", dir / "frac.txt", GetParam()); }, dir / "frac.txt", "line 1");
  write_text(dir / "neg.txt", "-1\n");
  expect_data_error([&] { TinyImagesSource s(dir / "tiny.bin", dir / "neg.txt", GetParam()); }, dir / "neg.txt", "line 1");
  write_text(dir / "zero.txt", "1\n0\n");
  expect_data_error([&] { TinyImagesSource s(dir / "tiny.bin", dir / "zero.txt", GetParam()); }, dir / "zero.txt",
                    "line 2: index 0 is out of range 1..4");
  write_text(dir / "big.txt", "4\n5\n");
  expect_data_error([&] { TinyImagesSource s(dir / "tiny.bin", dir / "big.txt", GetParam()); }, dir / "big.txt",
                    "line 2: index 5 is out of range 1..4");
  expect_data_error([&] { TinyImagesSource s(dir / "tiny.bin", dir / "nolist.txt", GetParam()); }, dir / "nolist.txt",
                    "cannot open");
}

TEST_P(TinyImages, ReadingPastTheEndIsAnError) {
  TempDir dir;
  write_bytes(dir / "tiny.bin", tiny_file(2));
  TinyImagesSource src(dir / "tiny.bin", {}, GetParam());
  std::vector<std::uint8_t> buf(3 * 3072);
  EXPECT_THROW(src.read_many(1, 2, buf.data()), DataError);
}

TEST_P(TinyImages, AnEmptyFileIsAnEmptySource) {
  TempDir dir;
  write_bytes(dir / "empty.bin", {});
  EXPECT_EQ(TinyImagesSource(dir / "empty.bin", {}, GetParam()).size(), 0);
}

TEST(FileMapping, DroppingPageTablesKeepsTheData) {
  TempDir dir;
  write_bytes(dir / "tiny.bin", tiny_file(4));
  const ReadOnlyFile file(dir / "tiny.bin");
  const FileMapping map(file);
  ASSERT_EQ(map.size(), 4 * 3072);
  const std::vector<std::uint8_t> before(map.data(), map.data() + map.size());
  map.drop_page_tables();
  EXPECT_TRUE(std::equal(before.begin(), before.end(), map.data()));
  EXPECT_EQ(before[5000], test::pattern_byte(1, 5000 - 3072));
}

INSTANTIATE_TEST_SUITE_P(Io, TinyImages, ::testing::Values(TinyIo::mmap, TinyIo::pread),
                         [](const auto& info) { return info.param == TinyIo::mmap ? "mmap" : "pread"; });

}  // namespace
}  // namespace hierad::data
