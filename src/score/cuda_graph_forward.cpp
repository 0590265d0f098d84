// score.cuda_graph: the scoring forward of full batches as one captured CUDA graph.
//
// Capture discipline (as torch.cuda.graphs does it): warm up eagerly on a side stream first, so
// that cuDNN picks its algorithms, the caching allocator has its blocks and the model's derived
// weights (the 1x1 convs' W from their LU factors, cached per parameter version) exist before
// capture; then capture on that side stream into a private memory pool. The static input is the
// uint8 batch; replay() rewrites the same output tensor, which the caller copies out before the
// next replay (the scorer's copy to pinned memory is ordered after it on the same stream).
#ifndef HIERAD_WITH_CUDA
#error "cuda_graph_forward.cpp is compiled only in CUDA builds"
#endif

#include "src/score/scoring_forward.hpp"

#include <ATen/ATen.h>
#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include <string>
#include <utility>

namespace hierad::score {
namespace {

class CudaGraphForward final : public ScoringForward {
 public:
  CudaGraphForward(model::Glow glow, std::int64_t batch_size) : glow_(std::move(glow)), batch_size_(batch_size) {}

  at::Tensor run(const at::Tensor& pixels) override {
    if (pixels.size(0) != batch_size_) return packed_terms(*glow_, pixels);  // a partial batch
    if (!graph_) capture(pixels);
    input_.copy_(pixels, /*non_blocking=*/true);
    graph_->replay();
    return output_;
  }

  std::string describe() const override {
    return "CUDA graph for batches of " + std::to_string(batch_size_) + ", eager otherwise";
  }

 private:
  void capture(const at::Tensor& like) {
    const at::Device device = like.device();
    c10::cuda::CUDAGuard device_guard(device);
    input_ = at::empty_like(like);
    input_.copy_(like);
    const auto main = c10::cuda::getCurrentCUDAStream(device.index());
    const auto side = c10::cuda::getStreamFromPool(/*isHighPriority=*/false, device.index());
    at::cuda::CUDAEvent input_ready;
    input_ready.record(main);
    input_ready.block(side);
    {
      c10::cuda::CUDAStreamGuard on_side(side);
      for (int i = 0; i < 3; ++i) packed_terms(*glow_, input_);  // warm-up, see the file comment
      graph_ = std::make_unique<at::cuda::CUDAGraph>();
      graph_->capture_begin();
      output_ = packed_terms(*glow_, input_);
      graph_->capture_end();
    }
    at::cuda::CUDAEvent captured;
    captured.record(side);
    captured.block(main);
  }

  model::Glow glow_;
  std::int64_t batch_size_;
  std::unique_ptr<at::cuda::CUDAGraph> graph_;
  at::Tensor input_;   // static uint8 input
  at::Tensor output_;  // static packed output, rewritten by every replay
};

}  // namespace

std::unique_ptr<ScoringForward> make_cuda_graph_forward(model::Glow glow, std::int64_t batch_size) {
  return std::make_unique<CudaGraphForward>(std::move(glow), batch_size);
}

}  // namespace hierad::score
