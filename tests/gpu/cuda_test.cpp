// What only a GPU can show, each against the CPU path that the rest of the suite proves right:
// the Glow's per-scale terms, the CUDA-graph scoring forward, the flat Adamax step. Every test
// skips without a CUDA device, so CI builds and lists them and the GPU machine runs them
// (tests/gpu/run.sh).
#include "src/distributed/flat_parameters.hpp"
#include "src/model/glow.hpp"
#include "src/score/scoring_forward.hpp"
#include "src/train/adamax.hpp"
#include "tests/model/model_test_util.hpp"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>
#include <ATen/Context.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hierad {
namespace {

using model::testing::max_abs_diff;
using model::testing::test_images;

#define SKIP_WITHOUT_CUDA() \
  if (!at::hasCUDA()) GTEST_SKIP() << "no CUDA device"

// fp32 means fp32: no TF32 in the convolutions or matrix products of these comparisons.
void no_tf32() {
  at::globalContext().setAllowTF32CuDNN(false);
  at::globalContext().setAllowTF32CuBLAS(false);
}

model::GlowOptions small_glow() {
  auto o = model::testing::tiny_options(3, 32, 3, 4, 64);
  return o;
}

// The same weights on both devices: built and data-initialised on the CPU, then copied.
std::pair<model::Glow, model::Glow> twin_models() {
  at::manual_seed(7);
  model::Glow cpu(small_glow());
  cpu->initialize(test_images(64, 3, 32));
  model::testing::perturb(*cpu, 0.02);
  model::Glow gpu(small_glow());
  {
    at::NoGradGuard no_grad;
    auto src = cpu->named_parameters(), dst = gpu->named_parameters();
    for (const auto& item : src) dst[item.key()].copy_(item.value());
    auto srcb = cpu->named_buffers(), dstb = gpu->named_buffers();
    for (const auto& item : srcb) dstb[item.key()].copy_(item.value());
  }
  gpu->to(at::Device(at::kCUDA, 0));
  return {cpu, gpu};
}

TEST(CudaGlow, PerScaleTermsMatchTheCpuInFp32) {
  SKIP_WITHOUT_CUDA();
  no_tf32();
  auto [cpu, gpu] = twin_models();
  const auto x = test_images(32, 3, 32);
  const auto a = cpu->score(x);
  const auto b = gpu->score(x.to(at::kCUDA));
  // Nats per example and scale; |log p| is about 3,000 here, so 2e-3 is ~1e-6 relative (float32
  // sums over 1,024-3,072 dims in another order).
  EXPECT_LE(max_abs_diff(a.flow_logdet, b.flow_logdet.cpu()), 2e-3);
  EXPECT_LE(max_abs_diff(a.prior_logdet, b.prior_logdet.cpu()), 2e-3);
  EXPECT_LE(max_abs_diff(a.gaussian_logp, b.gaussian_logp.cpu()), 2e-3);
  EXPECT_LE(max_abs_diff(a.scale_logp, b.scale_logp.cpu()), 2e-3);
  EXPECT_LE(max_abs_diff(a.bpd, b.bpd.cpu()), 1e-6);
}

TEST(CudaGlow, TrainingGradientsMatchTheCpu) {
  SKIP_WITHOUT_CUDA();
  no_tf32();
  auto [cpu, gpu] = twin_models();
  const auto x = test_images(16, 3, 32);
  cpu->forward(x).bpd.mean().backward();
  gpu->forward(x.to(at::kCUDA)).bpd.mean().backward();
  auto gp = gpu->named_parameters();
  double worst = 0;
  std::string where;
  for (const auto& item : cpu->named_parameters()) {
    const auto& g = item.value().grad();
    const double scale = g.abs().max().item<double>() + 1e-6;
    const double d = max_abs_diff(g, gp[item.key()].grad().cpu()) / scale;
    if (d > worst) worst = d, where = item.key();
  }
  EXPECT_LE(worst, 1e-3) << "largest relative gradient difference at " << where;
}

TEST(CudaScoring, GraphReplayEqualsEagerForward) {
  SKIP_WITHOUT_CUDA();
  no_tf32();
  auto [cpu, gpu] = twin_models();
  (void)cpu;
  const auto pixels = at::randint(0, 256, {48, 3, 32, 32}, at::kByte).to(at::kCUDA);
  auto graph = score::cuda_graph_forward(gpu, 48);
  auto eager = score::eager_forward(gpu);
  ASSERT_NE(graph->describe().find("CUDA graph"), std::string::npos) << graph->describe();
  const auto e = eager->run(pixels).cpu();
  const auto g1 = graph->run(pixels).cpu();  // captures, then replays
  const auto other = at::randint(0, 256, {48, 3, 32, 32}, at::kByte).to(at::kCUDA);
  const auto g2 = graph->run(other).cpu();   // replays on new input
  // The same kernels on the same data: equal up to algorithm choice inside the capture.
  EXPECT_LE(max_abs_diff(e, g1), 1e-6 * e.abs().max().item<double>());
  EXPECT_LE(max_abs_diff(eager->run(other).cpu(), g2), 1e-6 * e.abs().max().item<double>());
  // A partial batch runs eagerly and gives the eager result.
  const auto part = pixels.slice(0, 0, 5);
  EXPECT_LE(max_abs_diff(graph->run(part).cpu(), eager->run(part).cpu()), 1e-6 * e.abs().max().item<double>());
}

TEST(CudaAdamax, FlatStepMatchesTheCpuAndSkipsOnTheDevice) {
  SKIP_WITHOUT_CUDA();
  const auto make = [](at::Device device) {
    at::manual_seed(3);
    std::vector<at::Tensor> params;
    for (std::int64_t n : {5, 300, 17, 4096}) params.push_back(at::randn({n}).to(device).requires_grad_(true));
    return params;
  };
  auto pc = make(at::kCPU), pg = make(at::Device(at::kCUDA, 0));
  distributed::FlatParameters fc(pc), fg(pg);
  std::vector<std::string> names{"a", "b", "c", "d"};
  train::Adamax oc(fc, names, {}), og(fg, names, {});
  for (int step = 0; step < 3; ++step) {
    at::manual_seed(100 + step);
    for (std::size_t i = 0; i < pc.size(); ++i) {
      const auto g = at::randn(pc[i].sizes());
      pc[i].mutable_grad().copy_(g);
      pg[i].mutable_grad().copy_(g);
    }
    const bool skip = step == 1;
    oc.step(1e-2, at::full({}, skip, at::kBool));
    og.step(1e-2, at::full({}, skip, at::TensorOptions().dtype(at::kBool).device(at::kCUDA)));
    oc.zero_grad();
    og.zero_grad();
  }
  EXPECT_EQ(og.steps_taken(), 2);
  for (std::size_t i = 0; i < pc.size(); ++i) {
    EXPECT_LE(max_abs_diff(pc[i].detach(), pg[i].detach().cpu()), 1e-6) << names[i];
  }
}

}  // namespace
}  // namespace hierad
