#pragma once
// A small checkpoint with every kind of content training stores: float parameters and buffers named
// like state-dict keys, optimizer state, per-rank RNG states (uint8) and loader positions (int64),
// a scalar, an empty array, and metadata of the three kinds.

#include <cstdint>
#include <string>
#include <vector>

#include "storage/checkpoint.hpp"

namespace hierad::storage::test {

struct SampleCheckpoint {
  explicit SampleCheckpoint(std::int64_t step, std::size_t weight_count = 64) : step(step) {
    weight.resize(weight_count);
    for (std::size_t i = 0; i < weight.size(); ++i) weight[i] = 0.001f * static_cast<float>(i) + static_cast<float>(step);
    for (std::size_t i = 0; i < exp_avg.size(); ++i) exp_avg[i] = -1.0 / static_cast<double>(i + 1 + step);
    for (std::size_t i = 0; i < rng.size(); ++i) rng[i] = static_cast<std::uint8_t>(i * 37 + step);
    positions = {step * 8, step * 8 + 4};
    metadata = {{"step", step},
                {"epoch", step / 10},
                {"lr", 5e-4},
                {"config", std::string("[train]\nlr = 5e-4\nbatch = 64\n")},
                {"run_id", std::string("run-") + std::to_string(step)},
                {"note", std::string()}};
  }

  std::vector<ArrayView> views() const {
    return {view_of("model/scales.0.steps.0.actnorm.loc", weight, {4, static_cast<std::int64_t>(weight.size() / 4)}),
            view_of("model/scales.0.steps.0.actnorm.initialized", flag, {}),
            view_of("optimizer/exp_avg/scales.0.steps.0.actnorm.loc", exp_avg),
            view_of("optimizer/step", opt_step, {}),
            view_of("rng/rank0", rng),
            view_of("loader/positions", positions),
            view_of("empty", empty)};
  }

  std::int64_t step;
  std::vector<float> weight;
  std::vector<std::uint8_t> flag{1};
  std::vector<double> exp_avg = std::vector<double>(16);
  std::vector<std::int64_t> opt_step{12345};
  std::vector<std::uint8_t> rng = std::vector<std::uint8_t>(40);
  std::vector<std::int64_t> positions;
  std::vector<float> empty;
  Metadata metadata;
};

}  // namespace hierad::storage::test
