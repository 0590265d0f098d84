#include "src/data/resize.hpp"

#include <stb_image_resize.h>

#include <algorithm>
#include <cmath>

namespace hierad::data {

BilinearResizer::BilinearResizer(int in_h, int in_w, int out_h, int out_w)
    : in_h_(in_h), in_w_(in_w), out_h_(out_h), out_w_(out_w) {
  const auto taps = [](int in, int out) {
    std::vector<Tap> taps;
    const double scale = static_cast<double>(in) / out;
    for (int d = 0; d < out; ++d) {
      // Half-pixel centres: output pixel d looks at input coordinate (d + 0.5) * in/out - 0.5.
      const double src = std::clamp((d + 0.5) * scale - 0.5, 0.0, static_cast<double>(in - 1));
      const int lo = static_cast<int>(std::floor(src));
      taps.push_back({lo, std::min(lo + 1, in - 1), src - lo});
    }
    return taps;
  };
  ty_ = taps(in_h, out_h);
  tx_ = taps(in_w, out_w);
}

void BilinearResizer::operator()(const std::uint8_t* in, int channels, std::uint8_t* out) const {
  for (int c = 0; c < channels; ++c) {
    const std::uint8_t* plane = in + static_cast<std::int64_t>(c) * in_h_ * in_w_;
    std::uint8_t* dst = out + static_cast<std::int64_t>(c) * out_h_ * out_w_;
    for (int y = 0; y < out_h_; ++y) {
      const std::uint8_t* r0 = plane + ty_[static_cast<std::size_t>(y)].lo * in_w_;
      const std::uint8_t* r1 = plane + ty_[static_cast<std::size_t>(y)].hi * in_w_;
      const double wy = ty_[static_cast<std::size_t>(y)].t;
      for (int x = 0; x < out_w_; ++x) {
        const Tap& tx = tx_[static_cast<std::size_t>(x)];
        const double top = r0[tx.lo] + (r0[tx.hi] - r0[tx.lo]) * tx.t;
        const double bottom = r1[tx.lo] + (r1[tx.hi] - r1[tx.lo]) * tx.t;
        const double v = top + (bottom - top) * wy;
        // v lies in [0, 255] (a convex combination of bytes): adding 1/2 and truncating rounds
        // to nearest (halves up), as lround would, without its cost.
        dst[y * out_w_ + x] = static_cast<std::uint8_t>(v + 0.5);
      }
    }
  }
}

void resize_bilinear_chw(const std::uint8_t* in, int channels, int in_h, int in_w, std::uint8_t* out, int out_h,
                         int out_w) {
  BilinearResizer(in_h, in_w, out_h, out_w)(in, channels, out);
}

bool square_resize_hwc_to_chw(const std::uint8_t* hwc, int width, int height, int channels, std::uint8_t* chw,
                              int size) {
  const int side = std::min(width, height);
  const int x0 = (width - side) / 2;
  const int y0 = (height - side) / 2;
  const std::uint8_t* crop = hwc + (static_cast<std::int64_t>(y0) * width + x0) * channels;
  const int stride = width * channels;
  std::vector<std::uint8_t> resized(static_cast<std::size_t>(size) * size * channels);
  if (side == size) {
    for (int y = 0; y < size; ++y)
      std::copy(crop + static_cast<std::int64_t>(y) * stride, crop + static_cast<std::int64_t>(y) * stride + size * channels,
                resized.data() + static_cast<std::int64_t>(y) * size * channels);
  } else if (!stbir_resize_uint8(crop, side, side, stride, resized.data(), size, size, 0, channels)) {
    return false;
  }
  const std::int64_t plane = static_cast<std::int64_t>(size) * size;
  for (std::int64_t p = 0; p < plane; ++p)
    for (int c = 0; c < channels; ++c) chw[c * plane + p] = resized[p * channels + c];
  return true;
}

}  // namespace hierad::data
