// MNIST / Fashion-MNIST IDX files, gzip-compressed or raw (zlib reads both).
//
// Images: magic 0x00000803 (unsigned bytes, 3 dimensions), then N, rows, cols as big-endian
// 32-bit integers, then N*rows*cols pixels. Labels: magic 0x00000801, N, then N bytes. Images are
// decoded once at open and resized bilinearly to 32x32 (resize.hpp), 1 channel.
#pragma once

#include "src/data/source.hpp"

#include <filesystem>
#include <vector>

namespace hierad::data {

class IdxSource final : public Source {
 public:
  // `labels` may be empty (label() is then -1). Throws DataError for a missing file, a wrong
  // magic number, a truncated or over-long file, or a label count that differs from the images'.
  explicit IdxSource(const std::filesystem::path& images, const std::filesystem::path& labels = {}, int size = 32);

  std::int64_t size() const override { return count_; }
  Shape shape() const override { return {1, size_, size_}; }
  void read(std::int64_t index, std::uint8_t* out) const override;
  int label(std::int64_t index) const override {
    return labels_.empty() ? -1 : labels_.at(static_cast<std::size_t>(index));
  }
  std::string name() const override { return "idx:" + path_.string(); }

  int stored_rows() const { return rows_; }
  int stored_cols() const { return cols_; }

 private:
  std::filesystem::path path_;
  std::int64_t count_ = 0;
  int rows_ = 0, cols_ = 0, size_ = 32;
  std::vector<std::uint8_t> pixels_;  // resized, count_ x size_ x size_
  std::vector<std::uint8_t> labels_;
};

struct IdxSplitFiles {
  std::filesystem::path images;
  std::filesystem::path labels;  // empty if the folder has none
};

// The standard MNIST file names for `split` (train: train-*, test: t10k-*) inside `folder`,
// with or without the .gz suffix. Throws DataError if the images file is not there.
IdxSplitFiles idx_split_files(const std::filesystem::path& folder, const std::string& split);

}  // namespace hierad::data
