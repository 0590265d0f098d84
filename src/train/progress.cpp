#include "src/train/progress.hpp"

#include "src/util/format_duration.hpp"
#include "storage/key_value_file.hpp"
#include "storage/training_end.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>

namespace hierad::train {

std::string progress_line(std::int64_t step, std::int64_t total, std::int64_t epoch, double images_per_s,
                          double bpd, std::int64_t skipped, double seconds_per_step) {
  char buffer[256];
  std::snprintf(buffer, sizeof buffer, "step %lld/%lld (%.1f%%) | epoch %lld | %.1f img/s | %.4f bpd | ETA %s",
                static_cast<long long>(step), static_cast<long long>(total),
                total > 0 ? 100.0 * static_cast<double>(step) / static_cast<double>(total) : 0.0,
                static_cast<long long>(epoch), images_per_s, bpd,
                util::format_duration(seconds_per_step * static_cast<double>(total - step)).c_str());
  std::string line = buffer;
  if (skipped > 0) line += " | " + std::to_string(skipped) + " skipped steps";
  return line;
}

void write_progress_file(const std::filesystem::path& path, std::int64_t step, std::int64_t total, double bpd,
                         double images_per_s, double seconds_per_step, std::int64_t skipped) {
  storage::KeyValues values;
  values.set("step", static_cast<double>(step));
  values.set("steps", static_cast<double>(total));
  values.set("bpd", bpd);
  values.set("images_per_s", images_per_s);
  values.set("seconds_per_step", seconds_per_step);
  values.set("eta_s", seconds_per_step * static_cast<double>(total - step));
  values.set("skipped_steps", static_cast<double>(skipped));
  values.set("updated", static_cast<double>(std::time(nullptr)));
  storage::write_key_values(path, values, storage::kProgressFileHeader);
}

}  // namespace hierad::train
