// The model side of scoring: one batch of uint8 pixels in, every per-example likelihood term out,
// packed in one float64 tensor on the model's device so that one copy brings a batch to the host.
//
// Packed layout for n examples and L scales (1-D, n * (2 + 4L) values):
//   [log_p (n) | bpd (n) | F (n x L) | A (n x L) | G (n x L) | lp (n x L)], matrices row-major.
#pragma once

#include "src/model/glow.hpp"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>

namespace hierad::score {

// Offsets into a packed batch of n examples and L scales.
struct PackedLayout {
  std::int64_t n = 0;
  std::int64_t scales = 0;
  std::int64_t log_p() const { return 0; }
  std::int64_t bpd() const { return n; }
  std::int64_t F() const { return 2 * n; }
  std::int64_t A() const { return 2 * n + n * scales; }
  std::int64_t G() const { return 2 * n + 2 * n * scales; }
  std::int64_t lp() const { return 2 * n + 3 * n * scales; }
  std::int64_t size() const { return 2 * n + 4 * n * scales; }
};

class ScoringForward {
 public:
  virtual ~ScoringForward() = default;
  // pixels: uint8 [n, C, H, W] on the model's device. Returns the packed terms (float64, device).
  virtual at::Tensor run(const at::Tensor& pixels) = 0;
  // What it is, for the log ("eager", "CUDA graph for batches of 256").
  virtual std::string describe() const = 0;
};

// Bin-centre dequantisation (method.md §3) and the model's forward under InferenceMode.
at::Tensor packed_terms(model::GlowImpl& glow, const at::Tensor& pixels);

// The forward as LibTorch runs it, for every batch.
std::unique_ptr<ScoringForward> eager_forward(model::Glow glow);

// For a CUDA model: full batches of `batch_size` replay a CUDA graph captured once (the ~thousand
// small kernels of a Glow forward become one launch); other batch sizes (the last, partial batch
// of a set) run eagerly. Falls back to eager_forward, saying why in describe(), on the CPU or in
// a build without CUDA.
std::unique_ptr<ScoringForward> cuda_graph_forward(model::Glow glow, std::int64_t batch_size);

}  // namespace hierad::score
