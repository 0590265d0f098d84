#pragma once
// One training checkpoint = one HDF5 file holding named arrays (parameters, buffers, optimizer state,
// per-rank RNG states and loader positions) and key/value metadata (step, epoch, config text,
// versions, run id). Written atomically and verified on load.
//
// Layout (format "hierad-checkpoint", version 1; see storage/README.md):
//   /                 attrs format, format_version, array_count, checksum_crc32, hdf5_version
//   /arrays/<name>    one dataset per array, exactly the caller's shape and dtype; '/' in a name
//                     makes groups ("model/scale0/w"); attr crc32 = CRC-32 of the raw bytes
//   /metadata         group; one scalar attribute per key (int64, float64 or UTF-8 string)
// checksum_crc32 covers the manifest: every array's name, dtype, shape and crc32, then every
// metadata key, kind and value, so a renamed, dropped or altered entry is caught as well as a
// damaged byte. HDF5's own metadata (1.8 object format) carries checksums too.
//
// Write protocol: write "<path>.tmp-<pid>", flush, close, fsync, read back and verify, rename onto
// <path>, fsync the directory. A process killed at any point leaves either the previous <path> or
// the new one, never a partial file under the final name; the temporary never matches a
// checkpoint name (checkpoint_dir.hpp).

#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "storage/array.hpp"

namespace hierad::storage {

using MetaValue = std::variant<std::int64_t, double, std::string>;
using Metadata = std::map<std::string, MetaValue>;

// Every checkpoint failure (unreadable, truncated, checksum mismatch, missing entry, failed write).
class CheckpointError : public std::runtime_error {
 public:
  CheckpointError(const std::filesystem::path& path, const std::string& problem);
  const std::filesystem::path& path() const noexcept { return path_; }
  const std::string& problem() const noexcept { return problem_; }

 private:
  std::filesystem::path path_;
  std::string problem_;
};

struct Checkpoint {
  std::filesystem::path path;
  std::vector<Array> arrays;  // sorted by name
  Metadata metadata;
  std::uint32_t checksum = 0;  // the manifest CRC-32; score files record it to name their model

  const Array* find(const std::string& name) const;  // nullptr when absent
  const Array& at(const std::string& name) const;    // throws CheckpointError naming the file
  std::int64_t meta_int(const std::string& key) const;
  double meta_double(const std::string& key) const;
  const std::string& meta_string(const std::string& key) const;
};

struct CheckpointWriteOptions {
  bool verify = true;  // read the temporary back and compare checksums before the rename
};

// Writes `path` atomically (protocol above) and returns the manifest checksum. Array names must be
// unique and valid object names (h5_io.hpp); metadata keys must be non-empty.
// Throws CheckpointError; the temporary file is removed on failure.
std::uint32_t write_checkpoint(const std::filesystem::path& path, const std::vector<ArrayView>& arrays,
                               const Metadata& metadata, const CheckpointWriteOptions& options = {});

// Reads and verifies every array and the manifest. Throws CheckpointError (naming the file and
// the problem) when it is unreadable, truncated, of another format, or fails a checksum.
Checkpoint read_checkpoint(const std::filesystem::path& path);

// The manifest checksum for these arrays and metadata (what write_checkpoint stores).
std::uint32_t checkpoint_checksum(const std::vector<ArrayView>& arrays, const Metadata& metadata);

}  // namespace hierad::storage
