#include "src/train/progress.hpp"

#include <cmath>
#include <cstdio>

namespace hierad::train {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto total = static_cast<long long>(std::llround(seconds));
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%lld:%02lld:%02lld", total / 3600, total / 60 % 60, total % 60);
  return buffer;
}

std::string progress_line(std::int64_t step, std::int64_t total, std::int64_t epoch, double images_per_s,
                          double bpd, std::int64_t skipped, double seconds_per_step) {
  char buffer[256];
  std::snprintf(buffer, sizeof buffer, "step %lld/%lld (%.1f%%) | epoch %lld | %.1f img/s | %.4f bpd | ETA %s",
                static_cast<long long>(step), static_cast<long long>(total),
                total > 0 ? 100.0 * static_cast<double>(step) / static_cast<double>(total) : 0.0,
                static_cast<long long>(epoch), images_per_s, bpd,
                format_duration(seconds_per_step * static_cast<double>(total - step)).c_str());
  std::string line = buffer;
  if (skipped > 0) line += " | " + std::to_string(skipped) + " skipped steps";
  return line;
}

}  // namespace hierad::train
