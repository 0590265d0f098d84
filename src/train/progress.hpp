// The live progress of rank 0: the log line (step, epoch, images/s, bits/dim, ETA), and the same
// figures as <run dir>/progress.toml for `hierad status`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace hierad::train {

// "step 120/1000 (12.0%) | epoch 0 | 85.3 img/s | 5.123 bpd | ETA 0:12:31" (+ skipped steps if any).
// `images_per_s` is the global rate of the last window; the ETA assumes it stays.
std::string progress_line(std::int64_t step, std::int64_t total, std::int64_t epoch, double images_per_s,
                          double bpd, std::int64_t skipped, double seconds_per_step);

// progress.toml: step, steps (the total), bpd, images_per_s, seconds_per_step, eta_s,
// skipped_steps, updated (Unix time), replaced atomically (storage/key_value_file.hpp).
void write_progress_file(const std::filesystem::path& path, std::int64_t step, std::int64_t total, double bpd,
                         double images_per_s, double seconds_per_step, std::int64_t skipped);

}  // namespace hierad::train
