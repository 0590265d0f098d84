#include "src/data/augment.hpp"

#include "src/data/random.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace hierad::data {

AugmentDraw draw_augment(const AugmentOptions& options, std::uint64_t seed, std::int64_t epoch, std::int64_t index) {
  SplitMix64 rng(hash_key({seed, static_cast<std::uint64_t>(epoch), static_cast<std::uint64_t>(index), 0xA06ull}));
  AugmentDraw d;
  if (options.shift > 0) {
    // u in [0, 1) from the top 53 bits; x = -a + 2a u is U(-a, a); std::nearbyint rounds half to
    // even (the default rounding mode), as Python's round() in torchvision does.
    const auto uniform = [&] { return static_cast<double>(rng.next() >> 11) * 0x1.0p-53; };
    const double a = options.shift;
    d.dx = static_cast<int>(std::nearbyint(-a + 2 * a * uniform()));
    d.dy = static_cast<int>(std::nearbyint(-a + 2 * a * uniform()));
  }
  if (options.hflip) d.flip = (rng.next() >> 63) != 0;
  return d;
}

namespace {

#if defined(__SSE2__)
// The 16 bytes of x in reverse order (SSE2 has no byte shuffle: dwords, words, then bytes).
inline __m128i reverse16(__m128i x) {
  x = _mm_shuffle_epi32(x, _MM_SHUFFLE(0, 1, 2, 3));
  x = _mm_shufflelo_epi16(x, _MM_SHUFFLE(2, 3, 0, 1));
  x = _mm_shufflehi_epi16(x, _MM_SHUFFLE(2, 3, 0, 1));
  return _mm_or_si128(_mm_slli_epi16(x, 8), _mm_srli_epi16(x, 8));
}
#endif

void flip_rows(std::uint8_t* plane, int h, int w) {
  for (int y = 0; y < h; ++y) {
    std::uint8_t* row = plane + static_cast<std::int64_t>(y) * w;
#if defined(__SSE2__)
    if (w == 32) {
      const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row));
      const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row + 16));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(row), reverse16(hi));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(row + 16), reverse16(lo));
      continue;
    }
#endif
    std::reverse(row, row + w);
  }
}

// Shifting a plane by (dy, dx) with zero fill, in place. Row-major, that is one linear move by
// s = dy*W + dx bytes with the bytes moved in from outside zeroed, except that a row's first dx
// (or last -dx) bytes then hold the neighbouring row's end: those columns are zeroed afterwards.
// One memmove per plane plus a few bytes per row, instead of a copy per row.
void shift_plane(std::uint8_t* plane, int h, int w, int dy, int dx) {
  const std::int64_t n = std::int64_t{h} * w;
  const std::int64_t s = std::int64_t{dy} * w + dx;
  if (dx <= -w || dx >= w || s <= -n || s >= n) {
    std::memset(plane, 0, static_cast<std::size_t>(n));
    return;
  }
  if (s > 0) {
    std::memmove(plane + s, plane, static_cast<std::size_t>(n - s));
    std::memset(plane, 0, static_cast<std::size_t>(s));
  } else if (s < 0) {
    std::memmove(plane, plane - s, static_cast<std::size_t>(n + s));
    std::memset(plane + n + s, 0, static_cast<std::size_t>(-s));
  }
  if (dx != 0) {
    // Zero the |dx| columns at the left (dx > 0) or right (dx < 0) end of every row. Small
    // shifts get straight-line stores (a loop here would become one memset call per row).
    const int first = dx > 0 ? 0 : w + dx;
    const int count = dx > 0 ? dx : -dx;
    for (int y = 0; y < h; ++y) {
      std::uint8_t* p = plane + static_cast<std::int64_t>(y) * w + first;
      switch (count) {
        case 4: p[3] = 0; [[fallthrough]];
        case 3: p[2] = 0; [[fallthrough]];
        case 2: p[1] = 0; [[fallthrough]];
        case 1: p[0] = 0; break;
        default: std::memset(p, 0, static_cast<std::size_t>(count));
      }
    }
  }
}

#if defined(__SSE2__)
// The common case, 32-pixel rows and small shifts, in registers: each row is two 16-byte halves,
// flipped and shifted by DX bytes with zero fill (byte shifts need compile-time counts, hence the
// template), then stored at row y + dy. Rows are visited away from the shift direction so every
// source row is loaded before it is overwritten.
template <int DX>
void augment_plane32(std::uint8_t* plane, int h, int dy, bool flip) {
  const __m128i zero = _mm_setzero_si128();
  for (int k = 0; k < h; ++k) {
    const int y = dy > 0 ? h - 1 - k : k;
    const int sy = y - dy;
    std::uint8_t* dst = plane + y * 32;
    if (sy < 0 || sy >= h) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), zero);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + 16), zero);
      continue;
    }
    __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(plane + sy * 32));
    __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(plane + sy * 32 + 16));
    if (flip) {
      const __m128i t = reverse16(lo);
      lo = reverse16(hi);
      hi = t;
    }
    if constexpr (DX > 0) {  // out[x] = in[x - DX]
      hi = _mm_or_si128(_mm_slli_si128(hi, DX), _mm_srli_si128(lo, 16 - DX));
      lo = _mm_slli_si128(lo, DX);
    } else if constexpr (DX < 0) {  // out[x] = in[x + |DX|]
      lo = _mm_or_si128(_mm_srli_si128(lo, -DX), _mm_slli_si128(hi, 16 + DX));
      hi = _mm_srli_si128(hi, -DX);
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), lo);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + 16), hi);
  }
}

// Dispatches dx in -8..8 to its instantiation; false if dx is outside that range.
bool augment_plane32_dispatch(std::uint8_t* plane, int h, const AugmentDraw& d) {
  switch (d.dx) {
#define HIERAD_AUGMENT_CASE(v) \
  case v: augment_plane32<v>(plane, h, d.dy, d.flip); return true;
    HIERAD_AUGMENT_CASE(-8) HIERAD_AUGMENT_CASE(-7) HIERAD_AUGMENT_CASE(-6) HIERAD_AUGMENT_CASE(-5)
    HIERAD_AUGMENT_CASE(-4) HIERAD_AUGMENT_CASE(-3) HIERAD_AUGMENT_CASE(-2) HIERAD_AUGMENT_CASE(-1)
    HIERAD_AUGMENT_CASE(0) HIERAD_AUGMENT_CASE(1) HIERAD_AUGMENT_CASE(2) HIERAD_AUGMENT_CASE(3)
    HIERAD_AUGMENT_CASE(4) HIERAD_AUGMENT_CASE(5) HIERAD_AUGMENT_CASE(6) HIERAD_AUGMENT_CASE(7)
    HIERAD_AUGMENT_CASE(8)
#undef HIERAD_AUGMENT_CASE
    default: return false;
  }
}
#endif

}  // namespace

void apply_augment_inplace(std::uint8_t* image, const Shape& shape, const AugmentDraw& draw) {
  const int h = shape.height, w = shape.width;
  if (draw.dx == 0 && draw.dy == 0 && !draw.flip) return;
  for (int c = 0; c < shape.channels; ++c) {
    std::uint8_t* plane = image + static_cast<std::int64_t>(c) * h * w;
#if defined(__SSE2__)
    if (w == 32 && augment_plane32_dispatch(plane, h, draw)) continue;
#endif
    if (draw.flip) flip_rows(plane, h, w);
    if (draw.dx != 0 || draw.dy != 0) shift_plane(plane, h, w, draw.dy, draw.dx);
  }
}

void apply_augment(const std::uint8_t* in, std::uint8_t* out, const Shape& shape, const AugmentDraw& draw) {
  std::memcpy(out, in, static_cast<std::size_t>(shape.bytes()));
  apply_augment_inplace(out, shape, draw);
}

}  // namespace hierad::data
