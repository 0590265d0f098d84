#include "src/model_io/checkpoint_lookup.hpp"

#include "src/util/log.hpp"
#include "storage/checkpoint_dir.hpp"
#include "storage/training_end.hpp"

#include <filesystem>
#include <stdexcept>

namespace hierad::model_io {
namespace {

namespace fs = std::filesystem;

storage::Checkpoint newest_valid(const fs::path& dir, const std::string& purpose) {
  storage::LatestCheckpoint latest = storage::load_latest_valid(dir);
  std::string reasons;
  for (const auto& skipped : latest.skipped) {
    HIERAD_LOG(warn) << purpose << ": passing over checkpoint " << skipped.path.string() << ": " << skipped.reason;
    reasons += "; " + skipped.path.string() + ": " + skipped.reason;
  }
  if (!latest.checkpoint) throw std::runtime_error(dir.string() + ": no valid checkpoint" + reasons);
  return std::move(*latest.checkpoint);
}

}  // namespace

storage::Checkpoint read_final_checkpoint(const std::string& path, const ModelLookup& lookup) {
  if (!fs::exists(path)) throw std::runtime_error(path + ": no such checkpoint file or run directory");
  if (!fs::is_directory(path)) return storage::read_checkpoint(path);
  fs::path given = fs::path(path).lexically_normal();
  if (given.filename().empty()) given = given.parent_path();  // a trailing '/'
  const fs::path run_dir = given.filename() == "checkpoints" ? given.parent_path() : given;
  const fs::path dir = fs::is_directory(run_dir / "checkpoints") ? run_dir / "checkpoints" : run_dir;
  const std::string run = run_dir.string();
  const std::string hint = "; set " + lookup.accept_option + " to use the run's newest valid checkpoint instead";

  const storage::TrainingEnd end = storage::read_training_end(run_dir);
  std::string problem;
  if (end.final_checkpoint) {
    const fs::path final_path = dir / *end.final_checkpoint;
    const std::string final_of = "the final checkpoint of the finished run " + run + " (step " +
                                 std::to_string(end.steps) + ")";
    if (!fs::exists(final_path)) {
      problem = final_of + " is missing: no file " + final_path.string();
    } else {
      try {
        return storage::read_checkpoint(final_path);
      } catch (const storage::CheckpointError& error) {
        problem = final_of + " is unusable: " + error.what();
      }
    }
  } else if (end.has_progress) {
    problem = "the run " + run + " has not finished training (progress.toml: step " + std::to_string(end.step) +
              " of " + std::to_string(end.steps) + ", no final_checkpoint)";
  } else {
    problem = run + " is not a finished training run (no progress.toml with a final_checkpoint)";
  }
  if (!lookup.accept_older) throw std::runtime_error(lookup.purpose + ": " + problem + hint);
  storage::Checkpoint older = newest_valid(dir, lookup.purpose);
  HIERAD_LOG(warn) << lookup.purpose << ": " << problem << "; using the newest valid checkpoint "
                   << older.path.string() << " (step " << older.meta_int("step") << ") as "
                   << lookup.accept_option << " allows";
  return older;
}

}  // namespace hierad::model_io
