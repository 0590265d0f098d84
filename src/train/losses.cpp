#include "src/train/losses.hpp"

#include <ATen/ATen.h>

#include <cmath>

namespace hierad::train {

at::Tensor nll_nats(const at::Tensor& log_p, std::int64_t dims) {
  return -(log_p - static_cast<double>(dims) * std::log(256.0));
}

at::Tensor outlier_term(const at::Tensor& log_p_in, const at::Tensor& log_p_gen, double weight,
                        double temperature) {
  // softplus(z) = log(1 + e^z), computed stably by LibTorch for large |z|.
  return weight * at::softplus((log_p_in - log_p_gen) / temperature).mean();
}

}  // namespace hierad::train
