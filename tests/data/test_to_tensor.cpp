// hierad_data_torch: dequantisation (method.md §3) and the upload of batches; plus the bilinear
// resize of the IDX reader checked against LibTorch's own bilinear interpolation.
#include "src/data/dequantize.hpp"
#include "src/data/random.hpp"
#include "src/data/to_tensor.hpp"

#include "src/data/resize.hpp"
#include "tests/data/data_test_util.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

namespace hierad::data {
namespace {

Batch all_values_batch() {
  // 64 images of 3x32x32 covering every byte value many times.
  Batch b;
  b.shape = {3, 32, 32};
  for (int i = 0; i < 64; ++i) {
    b.indices.push_back(i);
    b.labels.push_back(i % 3 == 0 ? -1 : i % 10);
    for (int k = 0; k < 3072; ++k) b.pixels.push_back(static_cast<std::uint8_t>((k + i) % 256));
  }
  b.noise_seed = 99;
  return b;
}

TEST(ToTensor, BinCentreIsExact) {
  BatchToTensor t(at::kCPU);
  const Batch b = all_values_batch();
  const at::Tensor x = t.images(b, Dequantize::bin_centre);
  ASSERT_EQ(x.sizes(), (std::vector<std::int64_t>{64, 3, 32, 32}));
  ASSERT_EQ(x.scalar_type(), at::kFloat);
  const float* p = x.data_ptr<float>();
  for (std::size_t k = 0; k < b.pixels.size(); ++k)
    ASSERT_EQ(p[k], static_cast<float>(b.pixels[k] / 256.0 - 0.5 + 1.0 / 512.0)) << k;
}

TEST(ToTensor, TrainingNoiseIsUniformInTheBinAndSeededByTheBatch) {
  BatchToTensor t(at::kCPU);
  Batch b = all_values_batch();
  const at::Tensor x = t.images(b, Dequantize::uniform_noise);
  // u = (x + 0.5) * 256 - v must lie in [0, 1) and average 1/2 with variance 1/12.
  const at::Tensor v = at::from_blob(b.pixels.data(), {64, 3, 32, 32}, at::kByte).to(at::kFloat);
  const at::Tensor u = (x + 0.5) * 256 - v;
  EXPECT_GE(u.min().item<float>(), -1e-4f);
  EXPECT_LT(u.max().item<float>(), 1.0f + 1e-4f);
  EXPECT_NEAR(u.mean().item<double>(), 0.5, 0.005);
  EXPECT_NEAR(u.var().item<double>(), 1.0 / 12, 0.002);
  // Same noise seed, same tensor (a resumed run); another seed, other noise.
  EXPECT_TRUE(at::equal(x, t.images(b, Dequantize::uniform_noise)));
  BatchToTensor other(at::kCPU);
  EXPECT_TRUE(at::equal(x, other.images(b, Dequantize::uniform_noise)));
  b.noise_seed = 100;
  EXPECT_FALSE(at::equal(x, t.images(b, Dequantize::uniform_noise)));
}

// Data-parallel equivalence needs an image's noise to depend on its epoch position only: the same
// 8 images as one batch (1 rank) or as two batches of 4 (2 ranks) get identical inputs.
TEST(ToTensor, NoiseDoesNotDependOnHowTheBatchIsSplit) {
  Batch whole = all_values_batch();
  whole.first_position = 40;
  auto part = [&whole](std::int64_t first, std::int64_t n) {
    Batch b;
    b.shape = whole.shape;
    b.noise_seed = whole.noise_seed;
    b.first_position = whole.first_position + first;
    const std::int64_t bytes = whole.shape.bytes();
    for (std::int64_t i = first; i < first + n; ++i) {
      b.indices.push_back(whole.indices[i]);
      b.labels.push_back(whole.labels[i]);
      b.pixels.insert(b.pixels.end(), whole.image(i), whole.image(i) + bytes);
    }
    return b;
  };
  BatchToTensor t(at::kCPU);
  const at::Tensor x = t.images(whole, Dequantize::uniform_noise);
  const at::Tensor halves =
      at::cat({t.images(part(0, 24), Dequantize::uniform_noise), t.images(part(24, 40), Dequantize::uniform_noise)});
  EXPECT_TRUE(at::equal(x, halves));
  // The noise follows the position: shifted by one, image 0 gets what image 1 got before.
  auto noise = [&t](const Batch& b) {
    const at::Tensor v = at::from_blob(const_cast<std::uint8_t*>(b.pixels.data()),
                                       {b.size(), b.shape.channels, b.shape.height, b.shape.width}, at::kByte);
    return (t.images(b, Dequantize::uniform_noise).to(at::kDouble) + 0.5) * 256 - v.to(at::kDouble);
  };
  Batch shifted = whole;
  shifted.first_position = 41;
  EXPECT_TRUE(at::allclose(noise(shifted)[0], noise(whole)[1], 0, 1e-4));
  EXPECT_FALSE(at::allclose(noise(whole)[0], noise(whole)[1], 0, 1e-2));
}

// Note [Dequantisation noise]: element j of an image is the (j+1)-th output of SplitMix64 seeded
// with the image's key, top 24 bits, and the model input is (v + u) / 256 - 0.5 in float.
TEST(ToTensor, NoiseIsTheImagesSplitMixStream) {
  const std::uint64_t key = hash_key({99, 5});
  SplitMix64 stream(key);
  for (int j = 0; j < 100; ++j) {
    EXPECT_EQ(dequantization_noise(key, j), static_cast<float>(stream.next() >> 40) / 16777216.0f) << j;
  }
  Batch b = all_values_batch();
  b.first_position = 5;
  const at::Tensor x = BatchToTensor(at::kCPU).images(b, Dequantize::uniform_noise);
  for (int j : {0, 1, 777, 3071}) {
    EXPECT_EQ(x[0].reshape({-1})[j].item<float>(),
              (static_cast<float>(b.pixels[j]) + dequantization_noise(key, j)) / 256.0f - 0.5f);
  }
}

TEST(ToTensor, LabelsAndIndices) {
  BatchToTensor t(at::kCPU);
  const Batch b = all_values_batch();
  const at::Tensor l = t.labels(b);
  ASSERT_EQ(l.scalar_type(), at::kLong);
  ASSERT_EQ(l.numel(), 64);
  EXPECT_EQ(l[0].item<std::int64_t>(), -1);
  EXPECT_EQ(l[5].item<std::int64_t>(), 5);
  EXPECT_EQ(t.indices(b)[63].item<std::int64_t>(), 63);
}

TEST(ToTensor, CudaUploadMatchesCpu) {
  if (!at::hasCUDA()) GTEST_SKIP() << "no CUDA device";
  BatchToTensor cpu(at::kCPU), gpu(at::Device(at::kCUDA, 0));
  const Batch b = all_values_batch();
  const at::Tensor xg = gpu.images(b, Dequantize::bin_centre);
  EXPECT_TRUE(xg.is_cuda());
  EXPECT_TRUE(at::equal(xg.cpu(), cpu.images(b, Dequantize::bin_centre)));
  const at::Tensor ug = (gpu.images(b, Dequantize::uniform_noise).cpu() + 0.5) * 256 -
                        at::from_blob(const_cast<std::uint8_t*>(b.pixels.data()), {64, 3, 32, 32}, at::kByte).to(at::kFloat);
  EXPECT_GE(ug.min().item<float>(), -1e-4f);
  EXPECT_LT(ug.max().item<float>(), 1.0f + 1e-4f);
  // Note [Dequantisation noise]: the GPU gets bit for bit what the CPU gets.
  EXPECT_TRUE(at::equal(gpu.images(b, Dequantize::uniform_noise).cpu(), cpu.images(b, Dequantize::uniform_noise)));
}

TEST(Resize, BilinearMatchesTorchInterpolateWithoutAlignCorners) {
  // Random 28x28 images through our resize and through at::upsample_bilinear2d in double: ours is
  // that value rounded to the nearest integer, so never more than 1/2 away from it.
  std::vector<std::uint8_t> in(10 * 784), ours(10 * 1024);
  for (std::size_t k = 0; k < in.size(); ++k) in[k] = test::pattern_byte(static_cast<std::int64_t>(k / 784), static_cast<std::int64_t>(k % 784));
  for (int i = 0; i < 10; ++i) resize_bilinear_chw(in.data() + i * 784, 1, 28, 28, ours.data() + i * 1024, 32, 32);
  const at::Tensor t = at::from_blob(in.data(), {10, 1, 28, 28}, at::kByte).to(at::kDouble);
  const at::Tensor ref = at::upsample_bilinear2d(t, {32, 32}, /*align_corners=*/false);
  const at::Tensor got = at::from_blob(ours.data(), {10, 1, 32, 32}, at::kByte).to(at::kDouble);
  EXPECT_LE((got - ref).abs().max().item<double>(), 0.5 + 1e-9);
  EXPECT_GT((got - ref).abs().max().item<double>(), 0.0);  // the inputs do exercise the rounding
}

}  // namespace
}  // namespace hierad::data
