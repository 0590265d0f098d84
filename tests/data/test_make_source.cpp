// make_source: each [data.*] format from the config struct, the first/count range, bad entries.
#include "src/data/make_source.hpp"

#include "src/data/hdf5_images.hpp"
#include "tests/data/data_test_util.hpp"

#include <gtest/gtest.h>
#include <stb_image_write.h>

namespace hierad::data {
namespace {

using test::expect_data_error;
using test::TempDir;

config::SourceConfig entry(const std::string& format, const std::filesystem::path& path) {
  config::SourceConfig c;
  c.format = format;
  c.path = path.string();
  return c;
}

TEST(MakeSource, TinyWithExclusionAndRange) {
  TempDir dir;
  std::vector<std::uint8_t> bytes;
  for (int i = 0; i < 12; ++i) bytes.insert(bytes.end(), 3072, static_cast<std::uint8_t>(i));
  test::write_bytes(dir / "tiny_images.bin", bytes);
  test::write_text(dir / "ex.txt", "2\n5\n");  // file images 1 and 4
  auto c = entry("tiny", dir / "tiny_images.bin");
  c.exclude = (dir / "ex.txt").string();
  c.first = 2;
  c.count = 5;
  const auto src = make_source(c, kChannelsAsStored);
  ASSERT_EQ(src->size(), 5);
  EXPECT_TRUE(src->streamed());
  // Kept file images: 0 2 3 5 6 7 8 9 10 11; from the third on, five of them.
  const std::vector<int> expected = {3, 5, 6, 7, 8};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(test::read_image(*src, i)[7], expected[static_cast<std::size_t>(i)]);
  std::vector<std::uint8_t> many(5 * 3072);
  src->read_many(0, 5, many.data());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(many[static_cast<std::size_t>(i * 3072)], expected[static_cast<std::size_t>(i)]);
  EXPECT_NE(src->name().find("[2, 7)"), std::string::npos) << src->name();
}

TEST(MakeSource, TinyWithPreadReadsTheSameAndReportsAShrunkFile) {
  TempDir dir;
  std::vector<std::uint8_t> bytes;
  for (int i = 0; i < 12; ++i) bytes.insert(bytes.end(), 3072, static_cast<std::uint8_t>(i));
  test::write_bytes(dir / "tiny_images.bin", bytes);
  auto c = entry("tiny", dir / "tiny_images.bin");
  c.io = "pread";
  const auto src = make_source(c, kChannelsAsStored);
  for (int i = 0; i < 12; ++i) EXPECT_EQ(test::read_image(*src, i)[7], i);
  // The file shrinks under the reader (a network file system, a copy being rewritten): with mmap
  // this is SIGBUS; with pread, an error naming the file.
  std::filesystem::resize_file(dir / "tiny_images.bin", 3 * 3072);
  std::vector<std::uint8_t> image(3072);
  EXPECT_THROW(src->read(10, image.data()), DataError);
}

TEST(MakeSource, EveryFormatOpens) {
  TempDir dir;
  // cifar10 folder + split
  std::vector<std::uint8_t> rec(3073, 1);
  rec[0] = 3;
  for (int b = 1; b <= 5; ++b) test::write_bytes(dir / ("c10/data_batch_" + std::to_string(b) + ".bin"), rec);
  test::write_bytes(dir / "c10/test_batch.bin", rec);
  auto c10 = entry("cifar10", dir / "c10");
  EXPECT_EQ(make_source(c10, kChannelsAsStored)->size(), 5);
  c10.split = "test";
  EXPECT_EQ(make_source(c10, kChannelsAsStored)->label(0), 3);
  // cifar100 file
  std::vector<std::uint8_t> rec100(3074 * 2, 2);
  test::write_bytes(dir / "c100/test.bin", rec100);
  EXPECT_EQ(make_source(entry("cifar100", dir / "c100/test.bin"), kChannelsAsStored)->size(), 2);
  // idx file + labels
  test::write_bytes(dir / "m/img", test::idx_images(2, 28, 28, std::vector<std::uint8_t>(2 * 784, 5)));
  test::write_bytes(dir / "m/lbl", test::idx_labels({4, 7}));
  auto idx = entry("idx", dir / "m/img");
  idx.labels = (dir / "m/lbl").string();
  const auto m = make_source(idx, kChannelsAsStored);
  EXPECT_EQ(m->label(1), 7);
  EXPECT_EQ(m->shape(), (Shape{1, 32, 32}));
  // hdf5
  write_hdf5_images(*m, dir / "m.h5", "digits", ImageLayout::nhwc);
  auto h5 = entry("hdf5", dir / "m.h5");
  h5.dataset = "digits";
  const auto h = make_source(h5, kChannelsAsStored);
  EXPECT_EQ(h->size(), 2);
  EXPECT_EQ(h->label(1), 7);
  EXPECT_EQ(test::read_image(*h, 0), test::read_image(*m, 0));
  // folder, skipping a broken file
  std::vector<std::uint8_t> px(8 * 8 * 3, 77);
  std::filesystem::create_directories(dir / "f");
  ASSERT_NE(stbi_write_png((dir / "f/a.png").c_str(), 8, 8, 3, px.data(), 24), 0);
  test::write_text(dir / "f/b.png", "broken");
  auto folder = entry("folder", dir / "f");
  EXPECT_THROW(make_source(folder, kChannelsAsStored), DataError);
  folder.on_bad_image = config::OnBadImage::skip;
  EXPECT_EQ(make_source(folder, kChannelsAsStored)->size(), 1);
}

TEST(MakeSource, BadEntriesNameThePath) {
  TempDir dir;
  expect_data_error([&] { make_source(entry("jpeg", dir / "x"), kChannelsAsStored); }, dir / "x", "unknown source format 'jpeg'");
  expect_data_error([&] { make_source(entry("cifar10", dir / "missing"), kChannelsAsStored); }, dir / "missing", "does not exist");
  test::write_bytes(dir / "t.bin", std::vector<std::uint8_t>(3072 * 3));
  auto c = entry("tiny", dir / "t.bin");
  c.first = 2;
  c.count = 2;
  expect_data_error([&] { make_source(c, kChannelsAsStored); }, "tiny:" + (dir / "t.bin").string(), "goes past the last image");
  c.first = 4;
  c.count = -1;
  expect_data_error([&] { make_source(c, kChannelsAsStored); }, "tiny:" + (dir / "t.bin").string(), "first image 4 is outside 0..3");
  auto svhn = entry("svhn", dir.path());
  expect_data_error([&] { make_source(svhn, kChannelsAsStored); }, dir / "train_32x32.mat", "does not exist");
}

}  // namespace
}  // namespace hierad::data
