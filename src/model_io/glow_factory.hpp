// The experiment's [model] section as the model layer's options (the model knows no config).
#pragma once

#include "src/config/experiment_config.hpp"
#include "src/model/glow_options.hpp"

namespace hierad::model_io {

// Throws std::invalid_argument (from GlowOptions::validate) for a combination the model rejects,
// e.g. an image size not divisible by 2^scales.
model::GlowOptions glow_options(const config::ModelConfig& model);

}  // namespace hierad::model_io
