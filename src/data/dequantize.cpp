#include "src/data/dequantize.hpp"

#include "src/data/random.hpp"

namespace hierad::data {

float dequantization_noise(std::uint64_t image_key, std::int64_t element) {
  // The element-th output of SplitMix64(image_key), computed directly (it is counter-based).
  std::uint64_t z = image_key + static_cast<std::uint64_t>(element + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<float>(z >> 40) * (1.0f / 16777216.0f);
}

void dequantize_with_noise(const Batch& batch, float* out) {
  const std::int64_t per_image = batch.shape.bytes();
  for (std::int64_t i = 0; i < batch.size(); ++i) {
    const std::uint64_t key =
        hash_key({batch.noise_seed, static_cast<std::uint64_t>(batch.first_position + i)});
    const std::uint8_t* v = batch.image(i);
    float* x = out + i * per_image;
    for (std::int64_t j = 0; j < per_image; ++j) {
      x[j] = (static_cast<float>(v[j]) + dequantization_noise(key, j)) / 256.0f - 0.5f;
    }
  }
}

}  // namespace hierad::data
