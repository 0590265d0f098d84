// CIFAR-10 / CIFAR-100 binary records written at test time.
#include "src/data/cifar.hpp"

#include "tests/data/data_test_util.hpp"

#include <gtest/gtest.h>

namespace hierad::data {
namespace {

using test::expect_data_error;
using test::TempDir;
using test::write_bytes;

// n records starting at global image `first`; CIFAR-10: label (first+i) % 10; CIFAR-100: coarse
// (first+i) % 20, fine (first+i*7) % 100; pixels pattern_byte(first+i, k).
std::vector<std::uint8_t> records(CifarKind kind, std::int64_t first, std::int64_t n) {
  std::vector<std::uint8_t> bytes;
  for (std::int64_t i = first; i < first + n; ++i) {
    if (kind == CifarKind::cifar10) {
      bytes.push_back(static_cast<std::uint8_t>(i % 10));
    } else {
      bytes.push_back(static_cast<std::uint8_t>(i % 20));
      bytes.push_back(static_cast<std::uint8_t>((i * 7) % 100));
    }
    for (std::int64_t k = 0; k < 3072; ++k) bytes.push_back(test::pattern_byte(i, k));
  }
  return bytes;
}

void expect_images(const CifarSource& src, std::int64_t first_global) {
  for (std::int64_t i = 0; i < src.size(); ++i) {
    const auto img = test::read_image(src, i);
    for (std::int64_t k = 0; k < 3072; k += 97) ASSERT_EQ(img[static_cast<std::size_t>(k)], test::pattern_byte(first_global + i, k));
    ASSERT_EQ(img[3071], test::pattern_byte(first_global + i, 3071));
  }
}

TEST(Cifar, Cifar10TrainSplitReadsFiveBatchesInOrder) {
  TempDir dir;
  for (int b = 1; b <= 5; ++b)
    write_bytes(dir / ("cifar-10-batches-bin/data_batch_" + std::to_string(b) + ".bin"),
                records(CifarKind::cifar10, (b - 1) * 3, 3));
  write_bytes(dir / "cifar-10-batches-bin/test_batch.bin", records(CifarKind::cifar10, 100, 4));

  // The parent of cifar-10-batches-bin is accepted as well as the folder itself.
  CifarSource train(CifarKind::cifar10, cifar_split_files(CifarKind::cifar10, dir.path(), "train"));
  ASSERT_EQ(train.size(), 15);
  EXPECT_EQ(train.shape(), (Shape{3, 32, 32}));
  for (std::int64_t i = 0; i < 15; ++i) EXPECT_EQ(train.label(i), i % 10);
  expect_images(train, 0);

  CifarSource test(CifarKind::cifar10, cifar_split_files(CifarKind::cifar10, dir / "cifar-10-batches-bin", "test"));
  ASSERT_EQ(test.size(), 4);
  EXPECT_EQ(test.label(2), 102 % 10);
  expect_images(test, 100);
}

TEST(Cifar, Cifar100HasTwoLabelBytesAndReportsTheFineLabel) {
  TempDir dir;
  write_bytes(dir / "train.bin", records(CifarKind::cifar100, 0, 30));
  CifarSource src(CifarKind::cifar100, cifar_split_files(CifarKind::cifar100, dir.path(), "train"));
  EXPECT_EQ(src.record_bytes(), 3074);
  ASSERT_EQ(src.size(), 30);
  for (std::int64_t i = 0; i < 30; ++i) EXPECT_EQ(src.label(i), (i * 7) % 100);
  expect_images(src, 0);
}

TEST(Cifar, BadInputNamesTheFile) {
  TempDir dir;
  expect_data_error([&] { CifarSource s(CifarKind::cifar10, {dir / "none.bin"}); }, dir / "none.bin", "cannot open");

  auto bytes = records(CifarKind::cifar10, 0, 2);
  bytes.pop_back();
  write_bytes(dir / "cut.bin", bytes);
  expect_data_error([&] { CifarSource s(CifarKind::cifar10, {dir / "cut.bin"}); }, dir / "cut.bin",
                    "not a whole number of 3073-byte records");

  // A CIFAR-100 file read as CIFAR-10: 3074-byte records do not divide, or the label is too big.
  write_bytes(dir / "c100.bin", records(CifarKind::cifar100, 0, 3073));
  expect_data_error([&] { CifarSource s(CifarKind::cifar10, {dir / "c100.bin"}); }, dir / "c100.bin", "label");

  auto bad_label = records(CifarKind::cifar10, 0, 3);
  bad_label[3073] = 10;  // label byte of record 1
  write_bytes(dir / "label.bin", bad_label);
  expect_data_error([&] { CifarSource s(CifarKind::cifar10, {dir / "label.bin"}); }, dir / "label.bin",
                    "record 1: label 10 is outside 0..9");

  expect_data_error([&] { cifar_split_files(CifarKind::cifar10, dir.path(), "train"); }, dir / "data_batch_1.bin",
                    "does not exist");
  expect_data_error([&] { cifar_split_files(CifarKind::cifar10, dir.path(), "valid"); }, dir.path(), "unknown split");
}

}  // namespace
}  // namespace hierad::data
