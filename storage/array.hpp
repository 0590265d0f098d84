#pragma once
// Raw typed arrays: the only currency between storage/ and the layers above it. storage/ never sees
// a tensor; the training layer turns tensors into ArrayViews (borrowed bytes) and gets Arrays (owned
// bytes) back. Data are C-contiguous (row-major) in host byte order; hierad assumes little endian.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace hierad::storage {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "storage/ writes little-endian files from memory without conversion");

enum class DType : std::uint8_t { Float32 = 1, Float64 = 2, Int64 = 3, UInt8 = 4 };

std::size_t dtype_size(DType dtype);
const char* dtype_name(DType dtype);  // "float32", "float64", "int64", "uint8"

template <class T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::Float32; }
template <> constexpr DType dtype_of<double>() { return DType::Float64; }
template <> constexpr DType dtype_of<std::int64_t>() { return DType::Int64; }
template <> constexpr DType dtype_of<std::uint8_t>() { return DType::UInt8; }

// Product of the dimensions; shape {} is a scalar (1 element). Throws on a negative dimension.
std::int64_t element_count(const std::vector<std::int64_t>& shape);

// A named, borrowed array; `data` must hold element_count(shape) elements of `dtype`.
struct ArrayView {
  std::string name;
  DType dtype = DType::Float32;
  std::vector<std::int64_t> shape;
  const void* data = nullptr;

  std::size_t byte_size() const;
};

// The owning counterpart, returned by readers.
struct Array {
  std::string name;
  DType dtype = DType::Float32;
  std::vector<std::int64_t> shape;
  std::vector<std::byte> bytes;

  std::int64_t numel() const { return element_count(shape); }
  ArrayView view() const { return ArrayView{name, dtype, shape, bytes.data()}; }

  // Typed access; throws std::runtime_error naming the array when T does not match dtype.
  template <class T> const T* data() const {
    check_dtype(dtype_of<T>());
    return reinterpret_cast<const T*>(bytes.data());
  }
  template <class T> T* data() {
    check_dtype(dtype_of<T>());
    return reinterpret_cast<T*>(bytes.data());
  }
  template <class T> std::vector<T> to_vector() const {
    const T* p = data<T>();
    return std::vector<T>(p, p + numel());
  }

 private:
  void check_dtype(DType wanted) const;
};

// Views of a std::vector: 1-D {v.size()}, or the given shape ({} = scalar).
template <class T> ArrayView view_of(std::string name, const std::vector<T>& v) {
  return ArrayView{std::move(name), dtype_of<T>(), {static_cast<std::int64_t>(v.size())}, v.data()};
}
template <class T> ArrayView view_of(std::string name, const std::vector<T>& v, std::vector<std::int64_t> shape) {
  return ArrayView{std::move(name), dtype_of<T>(), std::move(shape), v.data()};
}

}  // namespace hierad::storage
