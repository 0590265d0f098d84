#include "src/data/to_tensor.hpp"

#include "src/data/random.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/detail/CUDAHooksInterface.h>

#include <cstring>
#include <mutex>
#include <stdexcept>

namespace hierad::data {

namespace {

at::Generator make_device_generator(const at::Device& device) {
  if (device.is_cpu()) return at::detail::createCPUGenerator();
  if (device.is_cuda()) return at::detail::getCUDAHooks().getNewGenerator(device.has_index() ? device.index() : 0);
  throw std::invalid_argument("BatchToTensor: unsupported device " + device.str());
}

template <typename T>
at::Tensor upload_vector(const std::vector<T>& values, at::ScalarType type, const at::Device& device) {
  at::Tensor host = at::empty({static_cast<std::int64_t>(values.size())}, at::TensorOptions().dtype(type));
  if (!values.empty()) std::memcpy(host.data_ptr(), values.data(), values.size() * sizeof(T));
  return device.is_cpu() ? host : host.to(device);
}

}  // namespace

BatchToTensor::BatchToTensor(at::Device device) : device_(device), generator_(make_device_generator(device)) {}

at::Tensor BatchToTensor::upload(const Batch& batch) const {
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
  at::Tensor x = upload(batch).to(at::kFloat);
  if (mode == Dequantize::bin_centre) {
    // v/256 - 0.5 + 1/512: every term and the result are exact in float32.
    return x.div_(256.0).add_(-0.5 + 1.0 / 512.0);
  }
  // One draw per image, keyed by the image's epoch position (Batch::noise_seed), not per batch:
  // how a global batch is split across ranks must not change anyone's noise.
  at::Tensor u = at::empty(x.sizes(), x.options());
  for (std::int64_t i = 0; i < batch.size(); ++i) {
    {
      std::lock_guard<std::mutex> lock(generator_.mutex());
      generator_.set_current_seed(
          hash_key({batch.noise_seed, static_cast<std::uint64_t>(batch.first_position + i)}));
    }
    u[i].uniform_(0.0, 1.0, generator_);
  }
  return x.add_(u).div_(256.0).add_(-0.5);
}

at::Tensor BatchToTensor::labels(const Batch& batch) const {
  std::vector<std::int64_t> wide(batch.labels.begin(), batch.labels.end());
  return upload_vector(wide, at::kLong, device_);
}

at::Tensor BatchToTensor::indices(const Batch& batch) const { return upload_vector(batch.indices, at::kLong, device_); }

}  // namespace hierad::data
