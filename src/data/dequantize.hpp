// Training's dequantisation (method.md §3) on the host: x = v/256 - 0.5 + u/256 with u ~ U(0, 1)
// per pixel, written straight into the float buffer the model reads.
//
// Note [Dequantisation noise]
// u is a pure function of (the batch's noise_seed, the image's epoch position, the element):
// image i of a batch has key hash_key(noise_seed, first_position + i), and its element j takes
// the j-th output of splitmix64 seeded with that key, keeping the top 24 bits (u = k / 2^24, so
// u < 1 exactly and x is computed in float as (v + u) / 256 - 0.5). Hence:
//  - an image gets the same noise whichever rank and batch it lands in (1 rank x B equals 2 ranks
//    x B/2), and a resumed run draws the same noise;
//  - the CPU and a GPU see bit-identical inputs (the noise never depends on a device generator,
//    whose outputs differ between devices and with the kernel's launch shape);
//  - the whole batch is one pass over memory, no per-image generator or kernel launch.
#pragma once

#include "src/data/loader.hpp"

#include <cstdint>

namespace hierad::data {

// u for element `element` of the image with key `image_key`, in [0, 1).
float dequantization_noise(std::uint64_t image_key, std::int64_t element);

// The model input of every image of `batch`, [n, C, H, W] floats, into out[0 .. n*C*H*W).
void dequantize_with_noise(const Batch& batch, float* out);

}  // namespace hierad::data
