// Resizing images to the model's 32x32.
//
// Two methods, each where the field uses it:
//  - bilinear (MNIST / Fashion-MNIST, 28x28 -> 32x32, method.md §6): half-pixel centres, edge
//    clamp, no antialiasing, i.e. the same sampling as torch's interpolate(mode="bilinear",
//    align_corners=False), rounded to the nearest integer;
//  - stb_image_resize's defaults for photographs (image folders, HDF5 sets of another size): a
//    centred square crop, then Mitchell filtering when shrinking (antialiased) and Catmull-Rom when
//    enlarging, on the stored values (no sRGB linearisation, like PIL/torchvision pipelines).
#pragma once

#include <cstdint>
#include <vector>

namespace hierad::data {

// The bilinear sampling positions for one (in_h, in_w) -> (out_h, out_w) pair, computed once and
// applied to many images.
class BilinearResizer {
 public:
  BilinearResizer(int in_h, int in_w, int out_h, int out_w);
  // in: `channels` planes of in_h x in_w (C, H, W); out: channels planes of out_h x out_w.
  void operator()(const std::uint8_t* in, int channels, std::uint8_t* out) const;

 private:
  struct Tap {
    int lo, hi;
    double t;  // weight of hi
  };
  int in_h_, in_w_, out_h_, out_w_;
  std::vector<Tap> ty_, tx_;
};

// One image; same as BilinearResizer(in_h, in_w, out_h, out_w)(in, channels, out).
void resize_bilinear_chw(const std::uint8_t* in, int channels, int in_h, int in_w, std::uint8_t* out, int out_h,
                         int out_w);

// in: interleaved (H, W, C) pixels of any size; out: (C, size, size). Crops the centred square
// (the longer side loses (long - short) / 2 pixels on each end), then resizes it with stb.
// Returns false only if stb reports a failure (e.g. out of memory).
bool square_resize_hwc_to_chw(const std::uint8_t* hwc, int width, int height, int channels, std::uint8_t* chw,
                              int size);

}  // namespace hierad::data
