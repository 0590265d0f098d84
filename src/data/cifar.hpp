// CIFAR-10 / CIFAR-100, binary version: records of 1 (CIFAR-10) or 2 (CIFAR-100: coarse, fine)
// label bytes followed by 3072 pixel bytes (R, G, B planes, each row-major): already (C, H, W).
//
// Pixels are read with pread on demand; the labels (one or two bytes per record) are read once at
// open. CIFAR-100's label() is the fine label (0..99), as in the usual 100-class benchmarks.
#pragma once

#include "src/data/file_io.hpp"
#include "src/data/source.hpp"

#include <filesystem>
#include <vector>

namespace hierad::data {

enum class CifarKind { cifar10, cifar100 };

class CifarSource final : public Source {
 public:
  // The files are read in the order given. Throws DataError for a missing file, a size that is
  // not a whole number of records, or a label outside 0..9 (0..99 fine, 0..19 coarse).
  CifarSource(CifarKind kind, const std::vector<std::filesystem::path>& files);

  std::int64_t size() const override { return static_cast<std::int64_t>(labels_.size()); }
  Shape shape() const override { return {3, 32, 32}; }
  void read(std::int64_t index, std::uint8_t* out) const override;
  int label(std::int64_t index) const override { return labels_.at(static_cast<std::size_t>(index)); }
  std::string name() const override;

  std::int64_t record_bytes() const { return label_bytes_ + 3072; }

 private:
  CifarKind kind_;
  std::int64_t label_bytes_;
  std::vector<ReadOnlyFile> files_;
  std::vector<std::int64_t> file_start_;  // first source index held by each file
  std::vector<std::uint8_t> labels_;
};

// The files of the standard distribution for `split` ("train" or "test") inside `folder` (or its
// cifar-10-batches-bin / cifar-100-binary subfolder). Throws DataError if they are not there.
std::vector<std::filesystem::path> cifar_split_files(CifarKind kind, const std::filesystem::path& folder,
                                                     const std::string& split);

}  // namespace hierad::data
