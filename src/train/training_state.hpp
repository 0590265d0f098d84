// The full training state as checkpoint arrays, and back.
//
// Array names (checkpoint "hierad-train" contents, see storage/README.md for the file format):
//   model/<parameter or buffer name>     every parameter and buffer (ActNorm "initialized" flags too)
//   optimizer/<param>.exp_avg, .exp_inf  Adamax moments; optimizer/step
//   loader/position                      int64 [world, 4]: seed, size, epoch, offset of every rank
//   loader/outlier_position              the same for the outlier-loss stream (when enabled)
//   rng/cpu                              uint8 [world, S]: LibTorch's CPU generator state per rank
// Metadata: step, epoch, images_seen, skipped_steps, world_size, run_id, config (resolved TOML),
// versions.
#pragma once

#include "src/data/loader.hpp"
#include "src/distributed/communicator.hpp"
#include "src/model/glow.hpp"
#include "src/train/adamax.hpp"
#include "storage/checkpoint.hpp"
#include "storage/checkpoint_dir.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace hierad::train {

struct Counters {
  std::int64_t step = 0;
  std::int64_t images_seen = 0;   // all ranks together
  std::int64_t skipped_steps = 0; // steps whose averaged gradients were not finite
};

struct SavedPositions {
  data::LoaderPosition main;
  std::optional<data::LoaderPosition> outlier;
};

// Collective (gathers loader positions and RNG states from every rank); only rank 0 writes.
// Returns the checkpoint's path on rank 0, empty elsewhere.
std::filesystem::path save_training_state(storage::CheckpointDir& dir, model::GlowImpl& model,
                                          const Adamax& optimizer, const Counters& counters,
                                          const SavedPositions& positions, distributed::Communicator& comm,
                                          const storage::Metadata& run_metadata);

// Everything model_io::load_model_state does, plus the optimizer, counters, this rank's RNG state and the
// loader positions (this rank's row when the world size is unchanged, else row 0: positions are
// global, so any row serves).
SavedPositions load_training_state(const storage::Checkpoint& checkpoint, model::GlowImpl& model,
                                   Adamax& optimizer, Counters& counters, int rank, int world);

}  // namespace hierad::train
