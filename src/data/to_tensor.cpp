#include "src/data/to_tensor.hpp"

#include "src/data/dequantize.hpp"

#include <cstring>
#include <stdexcept>

namespace hierad::data {

namespace {

template <typename T>
at::Tensor upload_vector(const std::vector<T>& values, at::ScalarType type, const at::Device& device) {
  at::Tensor host = at::empty({static_cast<std::int64_t>(values.size())}, at::TensorOptions().dtype(type));
  if (!values.empty()) std::memcpy(host.data_ptr(), values.data(), values.size() * sizeof(T));
  return device.is_cpu() ? host : host.to(device);
}

}  // namespace

BatchToTensor::BatchToTensor(at::Device device) : device_(device) {
  if (!device.is_cpu() && !device.is_cuda()) {
    throw std::invalid_argument("BatchToTensor: unsupported device " + device.str());
  }
}

at::Tensor BatchToTensor::pixels(const Batch& batch) const {
  const Shape s = batch.shape;
  const bool cuda = device_.is_cuda();
  // Pinned host memory lets the copy run asynchronously; CUDA's caching host allocator keeps the
  // buffer alive until the copy has finished, so it can be dropped here.
  at::Tensor host = at::empty({batch.size(), s.channels, s.height, s.width},
                              at::TensorOptions().dtype(at::kByte).pinned_memory(cuda));
  if (!batch.pixels.empty()) std::memcpy(host.data_ptr(), batch.pixels.data(), batch.pixels.size());
  return cuda ? host.to(device_, /*non_blocking=*/true) : host;
}

at::Tensor BatchToTensor::images(const Batch& batch, Dequantize mode) {
  if (mode == Dequantize::bin_centre) {
    // v/256 - 0.5 + 1/512: every term and the result are exact in float32.
    return pixels(batch).to(at::kFloat).div_(256.0).add_(-0.5 + 1.0 / 512.0);
  }
  // Note [Dequantisation noise]: made on the host in one pass; for CUDA into pinned memory and
  // copied asynchronously (CUDA's caching host allocator keeps the buffer until the copy is done).
  const Shape s = batch.shape;
  const bool cuda = device_.is_cuda();
  at::Tensor host = at::empty({batch.size(), s.channels, s.height, s.width},
                              at::TensorOptions().dtype(at::kFloat).pinned_memory(cuda));
  dequantize_with_noise(batch, host.data_ptr<float>());
  return cuda ? host.to(device_, /*non_blocking=*/true) : host;
}

at::Tensor BatchToTensor::labels(const Batch& batch) const {
  std::vector<std::int64_t> wide(batch.labels.begin(), batch.labels.end());
  return upload_vector(wide, at::kLong, device_);
}

at::Tensor BatchToTensor::indices(const Batch& batch) const { return upload_vector(batch.indices, at::kLong, device_); }

}  // namespace hierad::data
