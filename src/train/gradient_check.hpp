// The global gradient norm, the skip decision and clipping, on the device (Note [Skipped steps] in
// trainer.hpp): a handful of kernels, no host synchronisation.
#pragma once

#include "src/distributed/flat_parameters.hpp"

#include <ATen/core/Tensor.h>

namespace hierad::train {

struct GradientCheck {
  at::Tensor norm;        // 0-dim float: the L2 norm over every gradient (after the allreduce)
  at::Tensor non_finite;  // 0-dim bool: the norm is not finite (a NaN or Inf gradient, or one so
                          // large that the float32 norm overflows): the step is skipped
};

// Computes both from the gradient buffers; when max_norm > 0 and the norm exceeds it, scales
// every gradient by max_norm / norm (one multiply per buffer).
GradientCheck check_and_clip(distributed::FlatParameters& flat, double max_norm);

}  // namespace hierad::train
