// Squeeze: (C, H, W) -> (4C, H/2, W/2), output channel c*4 + dy*2 + dx (method.md §1). A pure
// rearrangement, log-det 0.
#pragma once

#include "src/model/flow_result.hpp"

namespace hierad::model {

at::Tensor squeeze2d(const at::Tensor& x);    // [N, C, H, W] -> [N, 4C, H/2, W/2]
at::Tensor unsqueeze2d(const at::Tensor& y);  // the inverse

// The layer form, for symmetry with the others (no parameters, so not a Module).
struct Squeeze {
  FlowResult forward(const at::Tensor& x) const;  // logdet: zeros [N]
  at::Tensor reverse(const at::Tensor& y) const { return unsqueeze2d(y); }
};

}  // namespace hierad::model
