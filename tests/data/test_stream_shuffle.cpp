// The Tiny Images stream as training reads it (Note [Shuffle windows]): a generated tiny_images.bin
// of 200,000 images whose blocks of 1,000 consecutive images carry one "keyword" each, read
// through TinyImagesSource and the loader with the config defaults. Each image's keyword and file
// index are written into its pixels, so the test checks what the reader delivered, not only the
// indices the order asked for.
#include "src/config/experiment_config.hpp"
#include "src/data/loader.hpp"
#include "src/data/tiny_images.hpp"
#include "tests/data/data_test_util.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <vector>

namespace hierad::data {
namespace {

constexpr std::int64_t kImages = 200000;
constexpr std::int64_t kKeywordRun = 1000;

// Stored byte k < 32 of an image is pixel (channel 0, row k, column 0): (C,H,W) byte 32 k.
void write_keyword_file(const std::filesystem::path& path) {
  std::ofstream out(path, std::ios::binary);
  std::vector<std::uint8_t> image(3072);
  for (std::int64_t i = 0; i < kImages; ++i) {
    const std::int64_t keyword = i / kKeywordRun;
    std::fill(image.begin(), image.end(), static_cast<std::uint8_t>(i * 7));
    image[0] = static_cast<std::uint8_t>(keyword);
    image[1] = static_cast<std::uint8_t>(keyword >> 8);
    image[2] = static_cast<std::uint8_t>(i);
    image[3] = static_cast<std::uint8_t>(i >> 8);
    image[4] = static_cast<std::uint8_t>(i >> 16);
    out.write(reinterpret_cast<const char*>(image.data()), 3072);
  }
  ASSERT_TRUE(out.good()) << path;
}

std::int64_t keyword_of(const std::uint8_t* chw) { return chw[0] | (chw[32] << 8); }
std::int64_t index_of(const std::uint8_t* chw) { return chw[64] | (chw[96] << 8) | (chw[128] << 16); }

// Mean distinct keywords per batch, read from the pixels; checks each image is the one indexed.
double mean_distinct_keywords(Loader& loader, int batches) {
  double total = 0;
  for (int k = 0; k < batches; ++k) {
    const Batch b = *loader.next();
    std::set<std::int64_t> keywords;
    for (std::int64_t i = 0; i < b.size(); ++i) {
      EXPECT_EQ(index_of(b.image(i)), b.indices[static_cast<std::size_t>(i)]);
      keywords.insert(keyword_of(b.image(i)));
    }
    total += static_cast<double>(keywords.size());
  }
  return total / batches;
}

TEST(TinyStream, TrainingInitAndOutlierBatchesMixKeywords) {
  test::TempDir dir;
  write_keyword_file(dir / "tiny_images.bin");
  const config::DataConfig data;  // block 64, shuffle_buffer 65,536: three windows and a short one
  config::SourceConfig sc;
  sc.format = "tiny";
  sc.shift = 0;  // the keyword and index bytes must stay where they were written
  for (const TinyIo io : {TinyIo::mmap, TinyIo::pread}) {
    const TinyImagesSource src(dir / "tiny_images.bin", {}, io);
    const LoaderOptions train = training_loader_options(data, sc, src, 64);
    const LoaderOptions init = init_loader_options(data, sc, src, 64);
    const LoaderOptions outlier = outlier_loader_options(data, sc, src, 64);
    Loader t(src, train, 0, 1), i(src, init, 0, 1), o(src, outlier, 0, 1);
    // A whole epoch of training batches (3,125), the 11 init batches, 1,000 outlier batches.
    const double mixed_train = mean_distinct_keywords(t, 3125), mixed_init = mean_distinct_keywords(i, 11),
                 mixed_outlier = mean_distinct_keywords(o, 1000);
    std::printf("%s: distinct keywords per batch of 64: training %.2f, ActNorm init %.2f, outlier %.2f\n",
                io == TinyIo::mmap ? "mmap" : "pread", mixed_train, mixed_init, mixed_outlier);
    EXPECT_GE(mixed_train, 50);
    EXPECT_GE(mixed_init, 50);
    EXPECT_GE(mixed_outlier, 50);
    auto blocks_only = train;
    blocks_only.shuffle_buffer = 0;
    Loader old(src, blocks_only, 0, 1);
    EXPECT_LT(mean_distinct_keywords(old, 300), 2.0);  // the order before windows
  }
}

}  // namespace
}  // namespace hierad::data
