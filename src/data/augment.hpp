// Training augmentation on uint8 images (method.md §5): a random integer shift in each direction
// with zero fill, and an optional random horizontal flip.
//
// The shift is the authors' torchvision RandomAffine(0, translate=(0.1, 0.1)) on 32 px: per axis
// round(U(-a, a)) pixels with a = `shift` = 3.2, so P(0) = P(+-1) = P(+-2) = 1/6.4 and
// P(+-3) = 0.7/6.4 (rounding half to even, as Python's round; the halves have probability 0).
//
// The draw for an image is a pure function of (seed, epoch, source index) (random.hpp), so a
// batch comes out the same whichever prefetch thread made it, and a resumed run repeats it.
#pragma once

#include "src/data/source.hpp"

#include <cstdint>

namespace hierad::data {

struct AugmentOptions {
  double shift = 0;    // a: per axis round(U(-a, a)) pixels (method.md default: 3.2)
  bool hflip = false;  // random horizontal flip with probability 1/2 (off for digit sets)
  bool enabled() const { return shift > 0 || hflip; }
};

struct AugmentDraw {
  int dx = 0;  // round(U(-shift, shift)): content moves right by dx
  int dy = 0;  // round(U(-shift, shift)): content moves down by dy
  bool flip = false;
};

AugmentDraw draw_augment(const AugmentOptions& options, std::uint64_t seed, std::int64_t epoch, std::int64_t index);

// out(c, y, x) = in'(c, y - dy, x - dx), or 0 where that falls outside the image, with
// in'(c, y, x) = in(c, y, W-1-x) if flip, else in. `in` and `out` must not overlap.
void apply_augment(const std::uint8_t* in, std::uint8_t* out, const Shape& shape, const AugmentDraw& draw);

// The same transformation, in place (what the loader uses: no copy of the image).
void apply_augment_inplace(std::uint8_t* image, const Shape& shape, const AugmentDraw& draw);

}  // namespace hierad::data
