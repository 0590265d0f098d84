#include "src/model_io/tensor_arrays.hpp"

#include <ATen/ATen.h>

#include <cstring>
#include <stdexcept>

namespace hierad::model_io {
namespace {

storage::DType storage_dtype(at::ScalarType type, const std::string& name) {
  switch (type) {
    case at::kFloat: return storage::DType::Float32;
    case at::kDouble: return storage::DType::Float64;
    case at::kLong: return storage::DType::Int64;
    case at::kByte: return storage::DType::UInt8;
    default:
      throw std::invalid_argument("tensor '" + name + "' has dtype " +
                                  std::string(at::toString(type)) + ", which checkpoints do not store");
  }
}

at::ScalarType torch_dtype(storage::DType type) {
  switch (type) {
    case storage::DType::Float32: return at::kFloat;
    case storage::DType::Float64: return at::kDouble;
    case storage::DType::Int64: return at::kLong;
    case storage::DType::UInt8: return at::kByte;
  }
  throw std::invalid_argument("unknown storage dtype");
}

}  // namespace

void ArrayBundle::add(const std::string& name, const at::Tensor& tensor) {
  at::Tensor host = tensor.detach();
  if (host.scalar_type() == at::kBool) host = host.to(at::kByte);
  host = host.to(at::kCPU).contiguous();  // may alias the tensor: bundles are written at once
  storage::ArrayView view;
  view.name = name;
  view.dtype = storage_dtype(host.scalar_type(), name);
  view.shape.assign(host.sizes().begin(), host.sizes().end());
  view.data = host.data_ptr();
  host_.push_back(host);
  views_.push_back(std::move(view));
}

at::Tensor to_tensor(const storage::Array& array) {
  at::Tensor out = at::empty(array.shape, at::TensorOptions().dtype(torch_dtype(array.dtype)));
  if (!array.bytes.empty()) std::memcpy(out.data_ptr(), array.bytes.data(), array.bytes.size());
  return out;
}

}  // namespace hierad::model_io
