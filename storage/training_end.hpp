// How a run's training ended, as other steps need to know it: progress.toml's `final_checkpoint`
// key names the checkpoint written at the last step (train.steps), and is only there once that
// checkpoint is durable. Scoring, fine-tuning (train.init_from) and the outlier loss's general model
// (train.outlier.general_checkpoint) read a run's model through it (src/model_io/checkpoint_lookup),
// so a corrupt final checkpoint is an error and never a silent fall-back to an older one.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace hierad::storage {

// The first line of progress.toml (src/train/progress.cpp writes the file at every progress line).
inline constexpr const char* kProgressFileHeader =
    "training progress, rewritten at every progress line (hierad status reads it)";

struct TrainingEnd {
  bool has_progress = false;                     // progress.toml exists
  std::int64_t step = 0, steps = 0;              // its last logged step and the total
  std::optional<std::string> final_checkpoint;   // file name in checkpoints/, when training finished
};

// Reads run_dir/progress.toml (a missing file gives has_progress = false). Throws naming path:line
// when the file is malformed.
TrainingEnd read_training_end(const std::filesystem::path& run_dir);

// Rank 0, after the final checkpoint's atomic rename: adds final_checkpoint = its file name to
// progress.toml (keeping the other keys).
void record_final_checkpoint(const std::filesystem::path& run_dir, const std::filesystem::path& checkpoint);

// Rank 0, when training (re)starts short of its last step: the run is no longer finished.
void clear_final_checkpoint(const std::filesystem::path& run_dir);

}  // namespace hierad::storage
