// The LibTorch headers hierad's torch-using files include, precompiled once (HIERAD_PCH).
// Keep it to the lean set: <torch/torch.h> would add the data, serialization, JIT and optimizer
// APIs that hierad does not use.
#pragma once
#include <ATen/ATen.h>
#include <torch/autograd.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/types.h>
