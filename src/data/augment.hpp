// Training augmentation on uint8 images (method.md §5): a random integer shift of up to +-shift
// pixels in each direction with zero fill, and an optional random horizontal flip.
//
// The draw for an image is a pure function of (seed, epoch, source index) (random.hpp), so a
// batch comes out the same whichever prefetch thread made it, and a resumed run repeats it.
#pragma once

#include "src/data/source.hpp"

#include <cstdint>

namespace hierad::data {

struct AugmentOptions {
  int shift = 0;       // maximum shift in pixels, each direction (method.md default: 3)
  bool hflip = false;  // random horizontal flip with probability 1/2 (off for digit sets)
  bool enabled() const { return shift > 0 || hflip; }
};

struct AugmentDraw {
  int dx = 0;  // -shift..shift: content moves right by dx
  int dy = 0;  // -shift..shift: content moves down by dy
  bool flip = false;
};

AugmentDraw draw_augment(const AugmentOptions& options, std::uint64_t seed, std::int64_t epoch, std::int64_t index);

// out(c, y, x) = in'(c, y - dy, x - dx), or 0 where that falls outside the image, with
// in'(c, y, x) = in(c, y, W-1-x) if flip, else in. `in` and `out` must not overlap.
void apply_augment(const std::uint8_t* in, std::uint8_t* out, const Shape& shape, const AugmentDraw& draw);

// The same transformation, in place (what the loader uses: no copy of the image).
void apply_augment_inplace(std::uint8_t* image, const Shape& shape, const AugmentDraw& draw);

}  // namespace hierad::data
