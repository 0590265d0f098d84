// A folder of PNG/JPEG images (LSUN, CelebA, Tiny ImageNet exports), searched recursively.
//
// Files are taken in sorted path order (so every rank sees the same indices) and decoded once at
// open, in parallel (PNG with stb_image, JPEG with libjpeg-turbo), then cropped to a centred square and resized to 32x32
// (resize.hpp). The decoded set is kept in memory (3 KiB per image): fine for the evaluation sets
// this is meant for; for a large training set, `hierad convert` it to HDF5 once instead.
//
// An unreadable file either stops the open with a DataError naming it, or is skipped and counted,
// as OnBadImage says. Labels: -1 (folders carry none).
#pragma once

#include "src/config/experiment_config.hpp"
#include "src/data/source.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace hierad::data {

struct ImageFolderOptions {
  config::OnBadImage on_bad_image = config::OnBadImage::fail;
  int channels = 3;  // 3: RGB (grey files are copied to R, G, B); 1: grey (colour files are converted,
                     // channels.hpp); 0: as the first file in path order (grey or RGB)
  int size = 32;     // output height = width
  int threads = 0;   // decoding threads; 0 = one per hardware thread
};

struct SkippedImage {
  std::filesystem::path path;
  std::string reason;
};

class ImageFolderSource final : public Source {
 public:
  // Throws DataError if the folder is missing, holds no PNG/JPEG file, or (on_bad_image = fail) a
  // file cannot be decoded; with skip, also if every file had to be skipped.
  explicit ImageFolderSource(const std::filesystem::path& folder, ImageFolderOptions options = {});

  std::int64_t size() const override { return static_cast<std::int64_t>(files_.size()); }
  Shape shape() const override { return {options_.channels, options_.size, options_.size}; }
  void read(std::int64_t index, std::uint8_t* out) const override;
  int label(std::int64_t) const override { return -1; }
  std::string name() const override { return "folder:" + folder_.string(); }

  const std::filesystem::path& file(std::int64_t index) const { return files_.at(static_cast<std::size_t>(index)); }
  const std::vector<SkippedImage>& skipped() const { return skipped_; }

 private:
  std::filesystem::path folder_;
  ImageFolderOptions options_;
  std::vector<std::filesystem::path> files_;  // the decoded ones, in index order
  std::vector<SkippedImage> skipped_;
  std::vector<std::uint8_t> pixels_;
};

}  // namespace hierad::data
