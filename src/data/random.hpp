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

// A keyed bijection of [0, n) that needs no table: a balanced Feistel network on the smallest
// even number of bits 2h with 4^h >= n, eight rounds of mix64 with a key of their own each,
// walked along its cycle until the value falls back into [0, n) (at most 4 steps expected, 1
// when n is a power of 4). Eight rounds, not four: with 2-bit halves four rounds leave where a
// point lands measurably non-uniform over keys (tests/data/test_sampler.cpp). Used for
// orders too large to store, e.g. the images of a shuffle window (sampler.hpp): any position's
// image is computed on its own, by any thread, in O(1) memory.
class IndexPermutation {
 public:
  IndexPermutation(std::uint64_t n, std::uint64_t key) : n_(n) {
    while ((std::uint64_t{1} << (2 * half_bits_)) < n_) ++half_bits_;
    mask_ = (std::uint64_t{1} << half_bits_) - 1;
    for (int round = 0; round < kRounds; ++round) round_keys_[round] = mix64(key ^ mix64(static_cast<std::uint64_t>(round)));
  }
  std::uint64_t size() const { return n_; }
  // The image of x, 0 <= x < size().
  std::uint64_t operator()(std::uint64_t x) const {
    do x = encrypt(x); while (x >= n_);
    return x;
  }

 private:
  std::uint64_t encrypt(std::uint64_t x) const {
    std::uint64_t left = x >> half_bits_, right = x & mask_;
    for (int round = 0; round < kRounds; ++round) {
      const std::uint64_t f = mix64(round_keys_[round] ^ right) & mask_;
      const std::uint64_t next = left ^ f;
      left = right;
      right = next;
    }
    return (left << half_bits_) | right;
  }

  static constexpr int kRounds = 8;
  std::uint64_t n_;
  std::uint64_t round_keys_[kRounds] = {};
  int half_bits_ = 1;
  std::uint64_t mask_ = 1;
};

}  // namespace hierad::data
