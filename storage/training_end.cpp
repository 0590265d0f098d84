#include "storage/training_end.hpp"

#include "storage/key_value_file.hpp"

namespace hierad::storage {
namespace {

constexpr const char* kProgressFile = "progress.toml";
constexpr const char* kFinalKey = "final_checkpoint";

}  // namespace

TrainingEnd read_training_end(const std::filesystem::path& run_dir) {
  TrainingEnd end;
  const auto values = read_key_values_if_present(run_dir / kProgressFile);
  if (!values) return end;
  end.has_progress = true;
  end.step = static_cast<std::int64_t>(values->number("step").value_or(0));
  end.steps = static_cast<std::int64_t>(values->number("steps").value_or(0));
  end.final_checkpoint = values->text(kFinalKey);
  return end;
}

void record_final_checkpoint(const std::filesystem::path& run_dir, const std::filesystem::path& checkpoint) {
  KeyValues values = read_key_values_if_present(run_dir / kProgressFile).value_or(KeyValues{});
  values.set(kFinalKey, checkpoint.filename().string());
  write_key_values(run_dir / kProgressFile, values, kProgressFileHeader);
}

void clear_final_checkpoint(const std::filesystem::path& run_dir) {
  auto values = read_key_values_if_present(run_dir / kProgressFile);
  if (!values || !values->text(kFinalKey)) return;
  values->erase(kFinalKey);
  write_key_values(run_dir / kProgressFile, *values, kProgressFileHeader);
}

}  // namespace hierad::storage
