#include "src/model/glow.hpp"

#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <c10/core/InferenceMode.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace hierad::model {
namespace {

// Precision::fp32/bf16 keep cuDNN convolutions and cuBLAS matrix products in IEEE float32
// (PyTorch's default allows TF32 for cuDNN); tf32 allows TF32 for both. Process-wide (the backward
// pass reads the flags again), set whenever a CUDA forward, reverse or data init runs; never
// touched on the CPU. The legacy setters are used on purpose: they set the conv and RNN flags
// together, while setting only the conv flag through setFloat32Precision makes torch's
// operator-less allowTF32CuDNN() throw ("a mix of the legacy and new APIs").
void configure_cuda_math(Precision precision) {
  at::globalContext().setAllowTF32CuDNN(precision == Precision::tf32);
  at::globalContext().setAllowTF32CuBLAS(precision == Precision::tf32);
}

at::Tensor columns(const std::vector<at::Tensor>& per_scale) { return at::stack(per_scale, 1); }

}  // namespace

const char* to_string(CouplingKind kind) {
  return kind == CouplingKind::affine ? "affine" : "additive";
}
const char* to_string(PermutationKind kind) { return kind == PermutationKind::lu ? "lu" : "fixed"; }
const char* to_string(Precision precision) {
  switch (precision) {
    case Precision::fp32: return "fp32";
    case Precision::tf32: return "tf32";
    case Precision::bf16: return "bf16";
  }
  return "?";
}

void GlowOptions::validate() const {
  const auto fail = [](const std::string& what) {
    throw std::invalid_argument("GlowOptions: " + what);
  };
  if (scales < 1) fail("scales must be >= 1 (got " + std::to_string(scales) + ")");
  if (steps < 1) fail("steps must be >= 1 (got " + std::to_string(steps) + ")");
  if (hidden < 1) fail("hidden must be >= 1 (got " + std::to_string(hidden) + ")");
  if (in_channels < 1) fail("in_channels must be >= 1 (got " + std::to_string(in_channels) + ")");
  if (scales > 30 || image_size < 1 || image_size % (1 << scales) != 0) {
    fail("image_size must be a positive multiple of 2^scales (got image_size " +
         std::to_string(image_size) + ", scales " + std::to_string(scales) + ")");
  }
}

GlowImpl::GlowImpl(const GlowOptions& options) : options_(options) {
  options_.validate();
  std::int64_t channels = options_.in_channels;
  std::int64_t size = options_.image_size;
  for (int k = 0; k < options_.scales; ++k) {
    const bool last = k == options_.scales - 1;
    scales.push_back(
        register_module("scale_" + std::to_string(k), Scale(channels, size, last, options_)));
    channels *= 2;  // squeeze x4, then half the channels leave
    size /= 2;
  }
  set_precision(options_.precision);
}

void GlowImpl::check_input(const at::Tensor& x) const {
  const auto c = options_.in_channels, s = options_.image_size;
  if (x.dim() != 4 || x.size(1) != c || x.size(2) != s || x.size(3) != s) {
    throw std::invalid_argument("Glow: expected images [N, " + std::to_string(c) + ", " +
                                std::to_string(s) + ", " + std::to_string(s) + "], got " +
                                c10::str(x.sizes()));
  }
  if (!at::isFloatingType(x.scalar_type())) {
    throw std::invalid_argument(std::string("Glow: expected floating-point images in [-0.5, 0.5]"
                                            " (dequantised by the data layer), got ") +
                                c10::toString(x.scalar_type()));
  }
}

LikelihoodRecord GlowImpl::forward(const at::Tensor& x) {
  check_input(x);
  if (x.is_cuda()) configure_cuda_math(options_.precision);
  std::vector<at::Tensor> f, a, g;
  LikelihoodRecord record;
  at::Tensor h = x;
  for (auto& scale : scales) {
    auto r = scale->forward(h);
    f.push_back(r.flow_logdet);
    a.push_back(r.prior_logdet);
    g.push_back(r.gaussian_logp);
    record.latents.push_back(r.latent);
    h = r.next;
  }
  record.flow_logdet = columns(f);
  record.prior_logdet = columns(a);
  record.gaussian_logp = columns(g);
  record.scale_logp = record.flow_logdet + record.prior_logdet + record.gaussian_logp;
  record.log_p = record.scale_logp.sum(1);
  const double d = static_cast<double>(options_.dims());
  record.bpd = 8.0 - record.log_p / (d * std::log(2.0));
  return record;
}

LikelihoodRecord GlowImpl::score(const at::Tensor& x) {
  c10::InferenceMode inference;
  return forward(x);
}

at::Tensor GlowImpl::reverse(const std::vector<at::Tensor>& latents) {
  if (latents.size() != scales.size()) {
    throw std::invalid_argument("Glow::reverse: expected " + std::to_string(scales.size()) +
                                " latents (one per scale), got " + std::to_string(latents.size()));
  }
  if (!latents.empty() && latents.front().is_cuda()) configure_cuda_math(options_.precision);
  at::Tensor h;
  for (std::size_t k = scales.size(); k-- > 0;) h = scales[k]->reverse(latents[k], h);
  return h;
}

at::Tensor GlowImpl::sample(std::int64_t n, double temperature,
                            std::optional<at::Generator> generator) {
  if (n < 0 || !(temperature >= 0.0)) {
    throw std::invalid_argument("Glow::sample: need n >= 0 and temperature >= 0");
  }
  at::NoGradGuard no_grad;
  const auto opts = scales.front()->prior->actnorm->loc.options();
  // z is drawn where the generator lives (a CPU generator gives the same samples on any device).
  const auto draw = generator ? opts.device(generator->device()) : opts;
  std::vector<at::Tensor> z;
  for (const auto& shape : latent_shapes()) {
    z.push_back((at::randn({n, shape[0], shape[1], shape[2]}, generator, draw) * temperature).to(opts.device()));
  }
  return reverse(z);
}

int GlowImpl::initialize(const at::Tensor& batch, const AllReduceSum& reduce) {
  check_input(batch);
  if (is_initialized()) return 0;
  const auto uninitialised = [this] {
    int count = 0;
    for (const auto& m : modules(false)) {
      if (const auto* an = dynamic_cast<const ActNormImpl*>(m.get())) count += !an->is_initialized();
    }
    return count;
  };
  const int before = uninitialised();
  if (batch.is_cuda()) configure_cuda_math(options_.precision);  // the init statistics are fp32 too
  at::NoGradGuard no_grad;
  at::Tensor h = batch;
  for (auto& scale : scales) h = scale->initialize(h, reduce).next;
  return before - uninitialised();
}

bool GlowImpl::is_initialized() const {
  for (const auto& m : modules(false)) {
    if (const auto* an = dynamic_cast<const ActNormImpl*>(m.get())) {
      if (!an->is_initialized()) return false;
    }
  }
  return true;
}

void GlowImpl::set_precision(Precision precision) {
  options_.precision = precision;
  for (const auto& m : modules(false)) {
    if (auto* net = dynamic_cast<CouplingNetImpl*>(m.get())) net->set_bf16(precision == Precision::bf16);
  }
}

std::vector<std::array<std::int64_t, 3>> GlowImpl::latent_shapes() const {
  std::vector<std::array<std::int64_t, 3>> shapes;
  for (const auto& scale : scales) shapes.push_back(scale->latent_shape());
  return shapes;
}

std::int64_t GlowImpl::weight_builds() const {
  std::int64_t builds = 0;
  for (const auto& m : modules(false)) {
    if (const auto* lu = dynamic_cast<const InvConvLUImpl*>(m.get())) builds += lu->weight_builds();
  }
  return builds;
}

std::int64_t parameter_count(const torch::nn::Module& module) {
  std::int64_t count = 0;
  for (const auto& p : module.parameters()) count += p.numel();
  return count;
}

std::int64_t parameter_count(const GlowOptions& options) {
  options.validate();
  const std::int64_t hidden = options.hidden;
  std::int64_t channels = options.in_channels * 4;  // after the first squeeze
  std::int64_t size = options.image_size / 2;
  std::int64_t total = 0;
  for (int k = 0; k < options.scales; ++k) {
    const bool last = k == options.scales - 1;
    const std::int64_t half = channels / 2;
    const std::int64_t out = options.coupling == CouplingKind::affine ? channels : half;
    std::int64_t step = 2 * channels;                                            // ActNorm
    if (options.permutation == PermutationKind::lu) step += 2 * channels * channels + channels;
    step += half * hidden * 9 + 2 * hidden + hidden * hidden + 2 * hidden;       // conv1, conv2
    step += hidden * out * 9 + 2 * out;                                          // zero conv
    total += options.steps * step;
    total += 2 * (last ? channels : half) * size * size;                         // prior ActNorm
    channels *= 2;
    size /= 2;
  }
  return total;
}

}  // namespace hierad::model
