#include "src/model_io/checkpoint_lookup.hpp"

#include "storage/checkpoint_dir.hpp"

#include <filesystem>
#include <stdexcept>

namespace hierad::model_io {

storage::Checkpoint read_checkpoint_or_latest(const std::string& path) {
  namespace fs = std::filesystem;
  if (!fs::exists(path)) throw std::runtime_error(path + ": no such checkpoint file or run directory");
  if (!fs::is_directory(path)) return storage::read_checkpoint(path);
  const fs::path dir = fs::is_directory(fs::path(path) / "checkpoints") ? fs::path(path) / "checkpoints" : fs::path(path);
  storage::LatestCheckpoint latest = storage::load_latest_valid(dir);
  if (!latest.checkpoint) {
    std::string reasons;
    for (const auto& skipped : latest.skipped) reasons += "; " + skipped.path.string() + ": " + skipped.reason;
    throw std::runtime_error(dir.string() + ": no valid checkpoint" + reasons);
  }
  return std::move(*latest.checkpoint);
}

}  // namespace hierad::model_io
