// Durations as people read them in progress lines and status tables.
#pragma once

#include <cmath>
#include <cstdio>
#include <string>

namespace hierad::util {

// 0:12:31, 13:05:00, or "?" for a non-finite or negative duration.
inline std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto total = static_cast<long long>(std::llround(seconds));
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%lld:%02lld:%02lld", total / 3600, total / 60 % 60, total % 60);
  return buffer;
}

}  // namespace hierad::util
