// Counter-based randomness for the data layer.
//
// Every random decision (the epoch's permutation, each image's shift and flip, each batch's
// dequantisation noise seed) is a pure function of (seed, epoch, index), never of a generator
// that advances as batches are made. That is what makes the order identical on every rank, the
// augmentation independent of which prefetch thread made a batch, and a restored position
// (epoch, offset) enough to continue exactly where a run stopped. Written out here (splitmix64)
// instead of <random>'s distributions, whose outputs differ between standard libraries.
#pragma once

#include <cstdint>
#include <initializer_list>

namespace hierad::data {

// splitmix64's output function: a bijective mix of 64 bits.
constexpr std::uint64_t mix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// A 64-bit key for a tuple of values (order matters).
inline std::uint64_t hash_key(std::initializer_list<std::uint64_t> values) {
  std::uint64_t h = 0x6A09E667F3BCC909ull;
  for (const std::uint64_t v : values) h = mix64(h ^ mix64(v));
  return h;
}

// A small stream generator (splitmix64), seeded from a key.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    state_ += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, bound), bound > 0, without modulo bias (rejection on the top range).
  std::uint64_t below(std::uint64_t bound) {
    const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % bound);
    std::uint64_t v;
    do v = next(); while (v >= limit);
    return v % bound;
  }

 private:
  std::uint64_t state_;
};

}  // namespace hierad::data
