#pragma once
// Reads a score file (score_store.hpp, storage/README.md) whole, serially: the analysis stage's entry
// point. Also compares two score files example by example.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "storage/score_store.hpp"

namespace hierad::storage {

struct ScoreSet {
  ScoreSetInfo info;
  std::int64_t n_scales = 0;  // L
  std::vector<std::int64_t> index;
  std::vector<double> log_p, bpd;
  std::vector<double> F, A, G, lp;  // row-major [N, L]: value(i, k) = F[i * L + k]

  std::int64_t size() const { return static_cast<std::int64_t>(index.size()); }
  // Column k (one scale) of a per-scale matrix, e.g. scale_column(lp, L - 1) = the final scale.
  std::vector<double> scale_column(const std::vector<double>& matrix, std::int64_t k) const;
};

struct ScoreFile {
  std::filesystem::path path;
  ScoreFileInfo info;
  std::int64_t writer_ranks = 0;
  std::string hdf5_version;
  std::vector<ScoreSet> sets;  // sorted by name

  const ScoreSet& set(const std::string& name) const;  // throws naming the file
};

// Throws std::runtime_error naming the file (and set/dataset) when it is not a valid score file.
ScoreFile read_score_file(const std::filesystem::path& path);

// Differences between two score files, examples matched by (set, index): file and set attributes
// (writer_ranks and hdf5_version excepted) and every value, compared bit for bit (so NaN equals the
// same NaN). Empty when they agree; at most `max_reports` lines.
// `same_checkpoint_file`: also require the scored checkpoint's path and file checksum to match
// (off to compare the scores of two copies of a run, whose checkpoints sit in other directories
// and record other resolved paths).
std::vector<std::string> compare_score_files(const ScoreFile& a, const ScoreFile& b, std::size_t max_reports = 20,
                                             bool same_checkpoint_file = true);

}  // namespace hierad::storage
