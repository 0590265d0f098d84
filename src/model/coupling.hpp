// Coupling layers and their network (method.md §1).
//
// CouplingNet: conv3x3(C/2 -> hidden, no bias) -> ActNorm -> ReLU -> conv1x1(hidden -> hidden, no
// bias) -> ActNorm -> ReLU -> zero-initialised conv3x3(hidden -> out, bias), output * exp(3 * logs).
// Zero padding. The ActNorms and the exp(3 * logs) factor are folded into the convolutions'
// weights and biases before use (ActNorm after a bias-free conv is an affine map of its output):
// the same function, three convolutions with bias and two in-place ReLUs, without the elementwise
// passes over the hidden activations (forward and backward). Without autograd the folded weights
// are cached per parameter version (DerivedCache).
//
// Coupling on h with C channels: x_a = h[:, :C/2] is kept, x_b = h[:, C/2:] is transformed.
//   affine:   o = NN(x_a) has C channels, t = o[:, 0::2], r = o[:, 1::2] (interleaved),
//             s = sigmoid(r + 2), y_b = (x_b + t) * s, log-det = sum(log s).
//   additive: o = NN(x_a) has C/2 channels, t = o, y_b = x_b + t, log-det 0.
// At init the zero conv outputs 0, so the affine coupling is y_b = x_b * sigmoid(2).
#pragma once

#include "src/model/derived_cache.hpp"
#include "src/model/actnorm.hpp"
#include "src/model/glow_options.hpp"

#include <torch/nn/modules/conv.h>

#include <utility>

namespace hierad::model {

class CouplingNetImpl : public torch::nn::Module {
 public:
  CouplingNetImpl(std::int64_t in_channels, std::int64_t hidden, std::int64_t out_channels);

  // o = NN(x), channels in the method's order (t/r interleaved for the affine coupling).
  at::Tensor forward(const at::Tensor& x);
  // The same output with its channels reordered so that the even channels (t) come first and the
  // odd ones (r) second; the reorder is applied to the weights, not the activations.
  at::Tensor forward_grouped(const at::Tensor& x);
  // Data-dependent init of both ActNorms (unfused, float32 even under bf16), then forward(x).
  at::Tensor initialize(const at::Tensor& x, const AllReduceSum& reduce);

  // bf16: run the three convolutions in bfloat16 (inputs and folded weights cast), return x's dtype.
  void set_bf16(bool on) { bf16_ = on; }

  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, zero_conv{nullptr};
  ActNorm actnorm1{nullptr}, actnorm2{nullptr};
  at::Tensor zero_logs;  // parameter "zero_logs" [out]

 private:
  struct Folded {
    at::Tensor w1, b1, w2, b2, w3, b3;
  };
  Folded fold(bool grouped);
  at::Tensor run(const at::Tensor& x, bool grouped);
  std::vector<at::Tensor> sources() const;

  std::int64_t out_channels_;
  bool bf16_ = false;
  DerivedCache cache_;  // folded weights of the no-autograd path: w1, b1, w2, b2, w3, b3
  bool cached_grouped_ = false;
  bool cached_bf16_ = false;
};
TORCH_MODULE(CouplingNet);

class CouplingImpl : public torch::nn::Module {
 public:
  CouplingImpl(std::int64_t channels, std::int64_t hidden, CouplingKind kind);

  FlowResult forward(const at::Tensor& h);
  at::Tensor reverse(const at::Tensor& y);
  FlowResult initialize(const at::Tensor& h, const AllReduceSum& reduce);

  CouplingKind kind() const { return kind_; }
  CouplingNet net{nullptr};

 private:
  // (t, r) for affine (r undefined for additive) from the kept half.
  std::pair<at::Tensor, at::Tensor> shift_and_raw_scale(const at::Tensor& x_a, bool initializing,
                                                        const AllReduceSum& reduce);
  FlowResult couple(const at::Tensor& h, bool initializing, const AllReduceSum& reduce);

  std::int64_t channels_;
  CouplingKind kind_;
};
TORCH_MODULE(Coupling);

}  // namespace hierad::model
