// From uint8 batches to the model's float input (method.md §3), on the device chosen once.
//
//   training (Dequantize::uniform_noise): x = v/256 - 0.5 + u/256, u ~ U(0,1) per pixel, made on
//     the host (Note [Dequantisation noise] in dequantize.hpp), identical on every device;
//   evaluation (Dequantize::bin_centre):  x = v/256 - 0.5 + 1/512 (exact in float32); on a CUDA
//     device the uint8 pixels go through a pinned host buffer and a non_blocking copy (4x fewer
//     bytes over the bus than floats), and the conversion runs on the device.
#pragma once

#include "src/data/loader.hpp"

#include <ATen/ATen.h>

namespace hierad::data {

enum class Dequantize { uniform_noise, bin_centre };

class BatchToTensor {
 public:
  explicit BatchToTensor(at::Device device);

  // float32 [n, C, H, W] on the device.
  at::Tensor images(const Batch& batch, Dequantize mode);
  // The uint8 [n, C, H, W] pixels on the device (pinned + non_blocking for CUDA).
  at::Tensor pixels(const Batch& batch) const;
  // int64 [n] labels (-1 where none) and source indices, on the device.
  at::Tensor labels(const Batch& batch) const;
  at::Tensor indices(const Batch& batch) const;

  const at::Device& device() const { return device_; }

 private:
  at::Device device_;
};

}  // namespace hierad::data
