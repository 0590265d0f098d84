// Real data: Fashion-MNIST as installed by Debian's dataset-fashion-mnist. CMake finds the folder
// from the package's own file list (dpkg -L) and passes it as HIERAD_FASHION_MNIST_DIR.
#include "src/data/idx.hpp"
#include "src/data/make_source.hpp"

#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <vector>

namespace hierad::data {
namespace {

std::filesystem::path fashion_mnist_dir() { return HIERAD_FASHION_MNIST_DIR; }

void expect_split(const std::string& split, std::int64_t images, std::int64_t per_class,
                  const std::array<int, 10>& first_labels) {
  const auto dir = fashion_mnist_dir();
  if (dir.empty()) GTEST_SKIP() << "dataset-fashion-mnist is not installed (dpkg -L found nothing at configure time)";
  config::SourceConfig c;
  c.format = "idx";
  c.path = dir.string();
  c.split = split;
  const auto src = make_source(c, kChannelsAsStored);
  ASSERT_EQ(src->size(), images);
  EXPECT_EQ(src->shape(), (Shape{1, 32, 32}));
  std::array<std::int64_t, 10> counts{};
  for (std::int64_t i = 0; i < src->size(); ++i) {
    const int l = src->label(i);
    ASSERT_GE(l, 0);
    ASSERT_LT(l, 10);
    ++counts[static_cast<std::size_t>(l)];
  }
  for (int k = 0; k < 10; ++k) EXPECT_EQ(counts[static_cast<std::size_t>(k)], per_class) << "class " << k;
  for (int i = 0; i < 10; ++i) EXPECT_EQ(src->label(i), first_labels[static_cast<std::size_t>(i)]) << i;

  // Mean pixel over the split: 72.94 (train) / 73.15 (test) at 28x28; bilinear resizing keeps it
  // within a fraction of a grey level of that.
  std::vector<std::uint8_t> img(1024);
  std::int64_t sum = 0;
  for (std::int64_t i = 0; i < src->size(); ++i) {
    src->read(i, img.data());
    for (auto v : img) sum += v;
  }
  const double mean = static_cast<double>(sum) / (static_cast<double>(src->size()) * 1024);
  EXPECT_NEAR(mean, split == "train" ? 72.94 : 73.15, 1.0);
}

// The first ten labels of each split, read independently with Python's gzip + numpy from the same
// files, pin the order of the records.
TEST(FashionMnist, TrainSplitHas60000ImagesWith6000PerClass) {
  expect_split("train", 60000, 6000, {9, 0, 0, 3, 0, 2, 7, 2, 5, 5});
}

TEST(FashionMnist, TestSplitHas10000ImagesWith1000PerClass) {
  expect_split("test", 10000, 1000, {9, 2, 1, 1, 6, 1, 4, 6, 5, 7});
}

}  // namespace
}  // namespace hierad::data
