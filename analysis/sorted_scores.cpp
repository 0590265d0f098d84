#include "analysis/sorted_scores.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

namespace hierad::analysis {
namespace {

constexpr std::uint64_t kSignBit = std::uint64_t{1} << 63;
constexpr std::uint64_t kExponentMask = std::uint64_t{0x7FF} << 52;

// LSD radix sort in 11-bit digits: 6 passes cover 64 bits, and a 2048-entry histogram per pass
// (16 KiB) stays in L1, which 16-bit digits (512 KiB of counts for 4 passes) would not.
constexpr int kDigitBits = 11;
constexpr std::size_t kBuckets = std::size_t{1} << kDigitBits;
constexpr std::uint64_t kDigitMask = kBuckets - 1;
constexpr int kPasses = (64 + kDigitBits - 1) / kDigitBits;
using Histograms = std::array<std::array<std::size_t, kBuckets>, kPasses>;

// Below this size std::sort wins: the 6 x 2048 histogram entries cost more than the sort.
constexpr std::size_t kRadixMinSize = 4096;

inline void count_digits(Histograms& hist, std::uint64_t key) {
  for (int p = 0; p < kPasses; ++p) ++hist[p][(key >> (p * kDigitBits)) & kDigitMask];
}

// Runs the LSD passes, skipping those that cannot change the order. A pass over digit p can be
// skipped when any two keys that agree on all bits above p also agree on digit p. Two cheap
// sufficient tests:
//   - every key has the same digit (one bucket holds all of them);
//   - `varying_magnitude_bits` (the bits in which the finite scores' magnitudes differ, sign
//     cleared) has no bit in digit p, and p is not the top digit: the key digit is then c or ~c,
//     decided by the sign bit, which lies above p. Non-finite keys (0) never agree with a finite key
//     on the bits above p, so they do not matter. Scores rounded from float32 (as stored
//     likelihoods are) have 29 zero mantissa bits: 2 of the 6 passes go.
void radix_passes(std::vector<std::uint64_t>& keys, std::vector<std::uint64_t>& scratch,
                  Histograms& hist, std::uint64_t varying_magnitude_bits) {
  const std::size_t n = keys.size();
  if (n == 0) return;
  scratch.resize(n);
  std::uint64_t* src = keys.data();
  std::uint64_t* dst = scratch.data();
  for (int p = 0; p < kPasses; ++p) {
    const int shift = p * kDigitBits;
    auto& counts = hist[p];
    if (counts[(src[0] >> shift) & kDigitMask] == n) continue;
    if (p < kPasses - 1 && ((varying_magnitude_bits >> shift) & kDigitMask) == 0) continue;
    std::size_t offset = 0;
    for (auto& c : counts) {  // counts become each bucket's first output position
      const std::size_t here = c;
      c = offset;
      offset += here;
    }
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t k = src[i];
      dst[counts[(k >> shift) & kDigitMask]++] = k;
    }
    std::swap(src, dst);
  }
  if (src != keys.data()) keys.swap(scratch);  // O(1): the sorted data lives in `scratch`
}

}  // namespace

std::uint64_t order_key(double score) {
  std::uint64_t bits;
  std::memcpy(&bits, &score, sizeof bits);
  if ((bits & kExponentMask) == kExponentMask) return 0;  // NaN or +-inf
  if (bits == kSignBit) bits = 0;                         // -0.0 ties with +0.0
  // Negative: flip all bits (larger magnitude -> smaller key). Non-negative: set the sign bit.
  return (bits & kSignBit) ? ~bits : (bits | kSignBit);
}

void radix_sort_keys(std::vector<std::uint64_t>& keys, std::vector<std::uint64_t>& scratch) {
  if (keys.size() < kRadixMinSize) {
    std::sort(keys.begin(), keys.end());
    return;
  }
  Histograms hist{};
  for (const std::uint64_t k : keys) count_digits(hist, k);
  radix_passes(keys, scratch, hist, ~std::uint64_t{0});  // no magnitude information: test only buckets
}

SortedScores SortedScores::from(ScoreSpan scores, std::vector<std::uint64_t>& scratch) {
  SortedScores out;
  const std::size_t n = scores.size();
  out.keys_.resize(n);
  std::uint64_t* keys = out.keys_.data();
  std::size_t nonfinite = 0;
  if (n < kRadixMinSize) {
    for (std::size_t i = 0; i < n; ++i) {
      keys[i] = order_key(scores[i]);
      nonfinite += (keys[i] == 0);
    }
    std::sort(out.keys_.begin(), out.keys_.end());
  } else {
    // Conversion, non-finite count, the magnitude bits that vary, and all six histograms in a
    // single read of the input.
    Histograms hist{};
    std::uint64_t magnitude_or = 0;
    std::uint64_t magnitude_and = ~kSignBit;
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t k = order_key(scores[i]);
      keys[i] = k;
      nonfinite += (k == 0);
      count_digits(hist, k);
      if (k != 0) {
        const std::uint64_t magnitude = ((k & kSignBit) ? k : ~k) & ~kSignBit;
        magnitude_or |= magnitude;
        magnitude_and &= magnitude;
      }
    }
    radix_passes(out.keys_, scratch, hist, magnitude_or ^ magnitude_and);
  }
  out.nonfinite_ = nonfinite;
  return out;
}

SortedScores SortedScores::from(ScoreSpan scores) {
  std::vector<std::uint64_t> scratch;
  return from(scores, scratch);
}

}  // namespace hierad::analysis
