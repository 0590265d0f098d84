// The live progress line of rank 0: step, epoch, images/s, bits/dim, ETA.
#pragma once

#include <cstdint>
#include <string>

namespace hierad::train {

// "step 120/1000 (12.0%) | epoch 0 | 85.3 img/s | 5.123 bpd | ETA 0:12:31" (+ skipped steps if any).
// `images_per_s` is the global rate of the last window; the ETA assumes it stays.
std::string progress_line(std::int64_t step, std::int64_t total, std::int64_t epoch, double images_per_s,
                          double bpd, std::int64_t skipped, double seconds_per_step);

// 0:12:31, 13:05:00, or "?" for a non-finite or negative duration.
std::string format_duration(double seconds);

}  // namespace hierad::train
