// Options of the multi-scale Glow (../shared/docs/method.md §1). Plain values, no LibTorch: the CLI
// maps the experiment config onto these, and they are the only knobs the model layer has.
#pragma once

#include <cstdint>
#include <string>

namespace hierad::model {

// y_b = (x_b + t) * sigmoid(r + 2) (affine), or y_b = x_b + t (additive).
enum class CouplingKind { affine, additive };
// The channel mixing of every flow step: learned 1x1 conv in LU form, or a fixed random permutation.
enum class PermutationKind { lu, fixed };
// fp32: IEEE float everywhere (TF32 explicitly off on CUDA). tf32: TF32 cuDNN convolutions on CUDA
// (no effect on the CPU). bf16: the coupling networks run in bfloat16 (an explicit autocast of their
// convolutions); log-dets, ActNorm statistics and priors stay in float32.
enum class Precision { fp32, tf32, bf16 };

struct GlowOptions {
  int scales = 3;          // L
  int steps = 32;          // K flow steps per scale
  int hidden = 512;        // hidden channels of every coupling network
  CouplingKind coupling = CouplingKind::affine;
  PermutationKind permutation = PermutationKind::lu;
  int in_channels = 3;     // 3 (RGB) or 1 (grey); any positive count works
  int image_size = 32;     // height = width; must be divisible by 2^scales
  Precision precision = Precision::fp32;  // may be changed later with GlowImpl::set_precision

  // Throws std::invalid_argument naming the offending field and value.
  void validate() const;
  // D = C * H * W of one input image.
  std::int64_t dims() const {
    return static_cast<std::int64_t>(in_channels) * image_size * image_size;
  }
};

const char* to_string(CouplingKind kind);
const char* to_string(PermutationKind kind);
const char* to_string(Precision precision);

}  // namespace hierad::model
