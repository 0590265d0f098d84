#include "src/model/squeeze.hpp"

#include <ATen/ATen.h>

#include <stdexcept>
#include <string>

namespace hierad::model {

at::Tensor squeeze2d(const at::Tensor& x) {
  if (x.dim() != 4 || x.size(2) % 2 != 0 || x.size(3) % 2 != 0) {
    throw std::invalid_argument("squeeze2d: expected [N, C, H, W] with even H and W, got " +
                                c10::str(x.sizes()));
  }
  const auto n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  // [N, C, H/2, dy, W/2, dx] -> [N, C, dy, dx, H/2, W/2]: channel index c*4 + dy*2 + dx.
  return x.reshape({n, c, h / 2, 2, w / 2, 2})
      .permute({0, 1, 3, 5, 2, 4})
      .reshape({n, c * 4, h / 2, w / 2});
}

at::Tensor unsqueeze2d(const at::Tensor& y) {
  if (y.dim() != 4 || y.size(1) % 4 != 0) {
    throw std::invalid_argument("unsqueeze2d: expected [N, 4C, H, W], got " + c10::str(y.sizes()));
  }
  const auto n = y.size(0), c = y.size(1) / 4, h = y.size(2), w = y.size(3);
  return y.reshape({n, c, 2, 2, h, w}).permute({0, 1, 4, 2, 5, 3}).reshape({n, c, h * 2, w * 2});
}

FlowResult Squeeze::forward(const at::Tensor& x) const {
  return {squeeze2d(x), at::zeros({x.size(0)}, x.options())};
}

}  // namespace hierad::model
