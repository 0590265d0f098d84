// The one return type of every invertible layer's forward: the output and the log|det J| of the
// map, one value per example (the openai accumulator, kept per layer).
#pragma once

#include <ATen/core/Tensor.h>

#include <functional>

namespace hierad::model {

struct FlowResult {
  at::Tensor y;       // same shape as the input
  at::Tensor logdet;  // [N], log|det dy/dx| of each example, in the parameters' dtype
};

// A per-channel (or per-dimension) sum across data-parallel ranks, applied in place. ActNorm's
// data-dependent initialisation calls it on its local statistics (float64 tensors) so that every
// rank derives identical parameters from the global init batch; distributed training passes an
// allreduce(SUM) over its communicator. An empty function means "this process holds the whole batch".
// See Note [ActNorm init across ranks] in actnorm.hpp.
using AllReduceSum = std::function<void(at::Tensor& values)>;

}  // namespace hierad::model
