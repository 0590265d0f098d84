// Channel conversion: every source delivers the channel count the model reads (method.md §6).
//
// RGB -> grey uses the authors' weights 0.2989 R + 0.5870 G + 0.1140 B, rounded to the nearest
// 8-bit value with halves rounded up, computed exactly in integers:
//   grey = (2989 R + 5870 G + 1140 B + 5000) / 10000   (integer division)
// so that the result does not depend on float rounding (the weights sum to 0.9999: white stays 255,
// and a grey image expanded to RGB and converted back is unchanged). The authors kept the fraction;
// hierad's pixels are 8-bit, and experiments/paper/tiny_grey.py rounds the same way.
// Grey -> RGB copies the grey plane into all three.
#pragma once

#include "src/data/source.hpp"

#include <cstdint>
#include <memory>

namespace hierad::data {

inline std::uint8_t grey_of_rgb(std::uint8_t r, std::uint8_t g, std::uint8_t b) {
  return static_cast<std::uint8_t>((2989u * r + 5870u * g + 1140u * b + 5000u) / 10000u);
}

// `images` images of `pixels` pixels each, (C, H, W) order, from `from` channels to `to` channels
// (1 or 3 each). `in` and `out` must not overlap.
void convert_channels(const std::uint8_t* in, int from, std::uint8_t* out, int to, std::int64_t pixels,
                      std::int64_t images);

// `source` delivering `channels` channels (1 or 3): the source itself if it already does, else a
// view that converts every image it reads. channels 0: the source as it is. Throws DataError
// naming the source for any other count, and for a source whose own count is neither 1 nor 3.
std::unique_ptr<Source> with_channels(std::unique_ptr<Source> source, int channels);

}  // namespace hierad::data
