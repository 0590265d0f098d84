// Input complexity as PNG-compressed length (Serra et al., "Input complexity and out-of-distribution
// detection with likelihood-based generative models", ICLR 2020).
//
// Serra et al. estimate an image's complexity L(x) by the length of a lossless compression of it, in
// bits per dimension, and compare it with the model's bits/dim: an input the model needs many more
// bits for than a generic compressor does is suspect. hierad's score (score_kinds.hpp,
// "input_complexity") is L(x) - bpd(x), negated from their S(x) = bpd(x) - L(x) so that, like every
// hierad score, higher means more in-distribution.
//
// L(x) here is the size of the complete PNG stream (signature, IHDR, IDAT, IEND: what a PNG file
// of the image would hold) written by libpng with zlib at maximum compression (level 9, memory level
// 9) and libpng's default adaptive row filters, times 8, divided by D = C*H*W.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hierad::analysis {

// An 8-bit image in planar CHW order (how the data layer and the model see images). C is 1 (grey)
// or 3 (RGB).
struct ImageCHW {
  const std::uint8_t* pixels = nullptr;
  int channels = 0;
  int height = 0;
  int width = 0;
};

// The PNG file bytes of `image` (grey for C = 1, RGB for C = 3) at maximum compression.
// Throws std::invalid_argument for other channel counts or non-positive sizes, std::runtime_error
// with libpng's message if encoding fails.
std::vector<std::uint8_t> encode_png_max_compression(const ImageCHW& image);

// 8 * (PNG length in bytes) / (C*H*W).
double png_bits_per_dim(const ImageCHW& image);

}  // namespace hierad::analysis
