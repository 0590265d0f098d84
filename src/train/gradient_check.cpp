#include "src/train/gradient_check.hpp"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <vector>

namespace hierad::train {

GradientCheck check_and_clip(distributed::FlatParameters& flat, double max_norm) {
  at::NoGradGuard no_grad;
  const auto& groups = flat.groups();
  GradientCheck check;
  if (groups.empty()) {
    check.norm = at::zeros({});
    check.non_finite = at::zeros({}, at::kBool);
    return check;
  }
  if (groups.size() == 1) {
    check.norm = at::linalg_vector_norm(groups.front().grad, 2).to(at::kFloat);
  } else {
    std::vector<at::Tensor> norms;
    for (const auto& group : groups) norms.push_back(at::linalg_vector_norm(group.grad, 2).to(at::kFloat));
    check.norm = at::linalg_vector_norm(at::stack(norms), 2);
  }
  check.non_finite = at::isfinite(check.norm).logical_not_();
  if (max_norm > 0) {
    // max_norm / norm where the norm exceeds it, else 1 (bit-identical gradients below the limit).
    const at::Tensor scale = at::where(check.norm > max_norm, max_norm / check.norm, at::ones_like(check.norm));
    for (const auto& group : groups) {
      at::Tensor grad = group.grad;
      grad.mul_(scale.to(grad.scalar_type()));
    }
  }
  return check;
}

}  // namespace hierad::train
