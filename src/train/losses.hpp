// The training objectives of method.md §5, per example and in nats.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace hierad::train {

// NLL of the discrete image in nats: -(log p(x) - D ln 256), where log p(x) is the model's density
// of the dequantised x in [-0.5, 0.5]^D. [N] -> [N].
at::Tensor nll_nats(const at::Tensor& log_p, std::int64_t dims);

// The outlier term w * mean softplus((log p_in(x_o) - log p_gen(x_o)) / T) over a batch x_o of the
// general distribution: it pushes p_in below p_gen on general images. Scalar.
at::Tensor outlier_term(const at::Tensor& log_p_in, const at::Tensor& log_p_gen, double weight,
                        double temperature);

}  // namespace hierad::train
