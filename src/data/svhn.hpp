// SVHN cropped digits: train_32x32.mat / test_32x32.mat / extra_32x32.mat (MATLAB v5, read with
// libmatio). X is a 32x32x3xN uint8 array (MATLAB order: row fastest, then column, colour,
// image), y is Nx1 with labels 1..10, where 10 stands for the digit 0 (mapped to label 0 here).
//
// The whole of X is read into memory at open (225 MB for the train split); reads are copies.
#pragma once

#include "src/data/source.hpp"

#include <filesystem>
#include <vector>

namespace hierad::data {

class SvhnSource final : public Source {
 public:
  // Throws DataError if the file is missing, is not a MAT file, lacks X or y, or they have the
  // wrong type or shape, or a label is outside 1..10.
  explicit SvhnSource(const std::filesystem::path& file);

  std::int64_t size() const override { return static_cast<std::int64_t>(labels_.size()); }
  Shape shape() const override { return {3, 32, 32}; }
  void read(std::int64_t index, std::uint8_t* out) const override;
  int label(std::int64_t index) const override { return labels_.at(static_cast<std::size_t>(index)); }
  std::string name() const override { return "svhn:" + path_.string(); }

 private:
  std::filesystem::path path_;
  std::vector<std::uint8_t> pixels_;  // N images of 3072 bytes, each c*1024 + col*32 + row (MATLAB)
  std::vector<std::uint8_t> labels_;
};

// `folder`/<split>_32x32.mat for split train, test or extra.
std::filesystem::path svhn_split_file(const std::filesystem::path& folder, const std::string& split);

}  // namespace hierad::data
