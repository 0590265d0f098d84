// A Glow's parameters and buffers as checkpoint arrays ("model/<name>"), and back: the part of a
// checkpoint that training, fine-tuning, scoring and sampling all read.
#pragma once

#include "src/model/glow.hpp"
#include "src/model_io/tensor_arrays.hpp"
#include "storage/checkpoint.hpp"

namespace hierad::model_io {

// The prefix of every model array in a checkpoint.
inline constexpr const char* kModelPrefix = "model/";

// Adds every parameter and buffer of `model` as "model/<name>" (host copies).
void add_model_arrays(ArrayBundle& arrays, const torch::nn::Module& model);

// Copies every model/ array of `checkpoint` into the model's parameters and buffers (on their
// device). Throws std::runtime_error naming the checkpoint file and the first missing or misshapen
// entry; a checkpoint with extra model/ entries is rejected too (a different architecture).
void load_model_state(const storage::Checkpoint& checkpoint, torch::nn::Module& model);

}  // namespace hierad::model_io
