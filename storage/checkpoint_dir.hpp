#pragma once
// A run directory's checkpoints: ckpt-<step, 8+ digits>.h5, listed by step, the last K kept, and the
// newest one that verifies loaded, with a report of every file passed over and why.
//
// Files named like "ckpt-00000500.h5.tmp-<pid>" are temporaries of a write that never finished
// (the process died before its rename): they are never loaded, only reported, and
// remove_temporaries() deletes them once no writer is active (at start-up).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "storage/checkpoint.hpp"

namespace hierad::storage {

std::string checkpoint_file_name(std::int64_t step);                            // "ckpt-00000500.h5"
std::optional<std::int64_t> parse_checkpoint_file_name(const std::string& name);  // nullopt if not one

struct CheckpointEntry {
  std::int64_t step = 0;
  std::filesystem::path path;
};

struct CheckpointListing {
  std::vector<CheckpointEntry> checkpoints;      // ascending step
  std::vector<std::filesystem::path> temporaries;  // unfinished writes, sorted
};

// A missing directory lists as empty.
CheckpointListing list_checkpoints(const std::filesystem::path& dir);

// Deletes all checkpoints but the `keep_last` (>= 1) highest steps; returns the removed paths.
// Counts files, not valid files: a corrupt newest checkpoint still occupies one of the K places.
std::vector<std::filesystem::path> prune_checkpoints(const std::filesystem::path& dir, int keep_last);

std::vector<std::filesystem::path> remove_temporaries(const std::filesystem::path& dir);

struct SkippedCheckpoint {
  std::filesystem::path path;
  std::string reason;
};

struct LatestCheckpoint {
  std::optional<Checkpoint> checkpoint;     // empty: no checkpoint verifies (or none exists)
  std::vector<SkippedCheckpoint> skipped;   // newer files passed over, temporaries included
};

// Tries checkpoints from the highest step down and returns the first that verifies
// (read_checkpoint) and whose metadata "step", when present, equals its file name's step.
LatestCheckpoint load_latest_valid(const std::filesystem::path& dir);

// The run directory as the training loop uses it.
class CheckpointDir {
 public:
  CheckpointDir(std::filesystem::path dir, int keep_last);

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path path_for(std::int64_t step) const { return dir_ / checkpoint_file_name(step); }

  // Creates the directory if needed, writes ckpt-<step>.h5 atomically, then prunes to keep_last.
  // Returns the checkpoint's checksum.
  std::uint32_t write(std::int64_t step, const std::vector<ArrayView>& arrays, const Metadata& metadata,
                      const CheckpointWriteOptions& options = {});
  LatestCheckpoint load_latest_valid() const { return storage::load_latest_valid(dir_); }
  CheckpointListing list() const { return list_checkpoints(dir_); }

 private:
  std::filesystem::path dir_;
  int keep_last_;
};

}  // namespace hierad::storage
