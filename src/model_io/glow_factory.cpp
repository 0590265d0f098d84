#include "src/model_io/glow_factory.hpp"

namespace hierad::model_io {

model::GlowOptions glow_options(const config::ModelConfig& model) {
  model::GlowOptions options;
  options.scales = model.scales;
  options.steps = model.steps;
  options.hidden = model.hidden;
  options.coupling = model.coupling == config::Coupling::affine ? model::CouplingKind::affine
                                                                : model::CouplingKind::additive;
  options.permutation = model.permutation == config::Permutation::lu ? model::PermutationKind::lu
                                                                     : model::PermutationKind::fixed;
  options.in_channels = model.channels;
  options.image_size = model.image_size;
  switch (model.precision) {
    case config::Precision::fp32: options.precision = model::Precision::fp32; break;
    case config::Precision::tf32: options.precision = model::Precision::tf32; break;
    case config::Precision::bf16: options.precision = model::Precision::bf16; break;
  }
  options.validate();
  return options;
}

}  // namespace hierad::model_io
