#include "storage/array.hpp"

#include <stdexcept>

namespace hierad::storage {

std::size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::Float32: return 4;
    case DType::Float64: return 8;
    case DType::Int64: return 8;
    case DType::UInt8: return 1;
  }
  throw std::invalid_argument("unknown storage dtype " + std::to_string(static_cast<int>(dtype)));
}

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
    case DType::Int64: return "int64";
    case DType::UInt8: return "uint8";
  }
  return "unknown";
}

std::int64_t element_count(const std::vector<std::int64_t>& shape) {
  std::int64_t n = 1;
  for (std::int64_t d : shape) {
    if (d < 0) throw std::invalid_argument("negative dimension " + std::to_string(d) + " in array shape");
    n *= d;
  }
  return n;
}

std::size_t ArrayView::byte_size() const {
  return static_cast<std::size_t>(element_count(shape)) * dtype_size(dtype);
}

void Array::check_dtype(DType wanted) const {
  if (wanted != dtype)
    throw std::runtime_error("array '" + name + "' holds " + dtype_name(dtype) + ", not " +
                             dtype_name(wanted));
}

}  // namespace hierad::storage
