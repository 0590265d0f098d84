// Tensors <-> storage arrays: the one place where LibTorch meets the HDF5 layer's raw arrays.
#pragma once

#include "storage/array.hpp"

#include <ATen/core/Tensor.h>

#include <map>
#include <string>
#include <vector>

namespace hierad::model_io {

// Host copies of named tensors, contiguous, in a dtype storage/ knows (float32, float64, int64,
// uint8; bool becomes uint8). Keeps the copies alive for the views it hands out.
class ArrayBundle {
 public:
  void add(const std::string& name, const at::Tensor& tensor);
  const std::vector<storage::ArrayView>& views() const { return views_; }

 private:
  std::vector<at::Tensor> host_;  // owns the bytes the views point to
  std::vector<storage::ArrayView> views_;
};

// A tensor copy of an array (CPU, same dtype and shape).
at::Tensor to_tensor(const storage::Array& array);

}  // namespace hierad::model_io
