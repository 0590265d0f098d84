// A plain HDF5 image dataset: the format `hierad convert` writes and any source can be read from.
//
// Layout of a file written by write_hdf5_images (read back by Hdf5ImageSource):
//   /<name>         uint8 [N, C, H, W] ("NCHW") or [N, H, W, C] ("NHWC"), contiguous, uncompressed
//                     attribute "layout": "NCHW" or "NHWC" (fixed-length string)
//                     attribute "source": Source::name() of what was converted (string)
//   /<name>_labels  int64 [N]; -1 where the source has no label. Written only if some label >= 0.
// Datasets written elsewhere (h5py, ...) are read too: any rank-4 unsigned 8-bit dataset, chunked
// or compressed or not. Without a "layout" attribute the layout follows from which of dims[1] and
// dims[3] is a channel count (1 or 3); if both are, the attribute is required.
//
// Reading: a contiguous, unfiltered dataset (what the writer makes) is read with pread at the
// offset HDF5 reports, so the loader's threads never call into HDF5 (this HDF5 build is not
// thread-safe) and reads of consecutive images are sequential. Any other storage is read into
// memory once at open. Images whose H x W is not the source size are cropped to a centred square
// and resized (resize.hpp) on every read.
#pragma once

#include "src/data/file_io.hpp"
#include "src/data/source.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hierad::data {

enum class ImageLayout { nchw, nhwc };

const char* layout_name(ImageLayout layout);  // "NCHW" / "NHWC"

class Hdf5ImageSource final : public Source {
 public:
  // Throws DataError if the file or dataset is missing, or the dataset is not rank-4 uint8 with
  // 1 or 3 channels in a known layout, or the labels dataset does not have N entries.
  Hdf5ImageSource(const std::filesystem::path& file, const std::string& dataset, int size = 32);

  std::int64_t size() const override { return count_; }
  Shape shape() const override { return {stored_.channels, size_, size_}; }
  void read(std::int64_t index, std::uint8_t* out) const override;
  void read_many(std::int64_t first, std::int64_t count, std::uint8_t* out) const override;
  int label(std::int64_t index) const override {
    return labels_.empty() ? -1 : labels_.at(static_cast<std::size_t>(index));
  }
  std::string name() const override { return "hdf5:" + path_.string() + ":" + dataset_; }
  // Not streamed: single images are shuffled. A converted folder is stored in path order (often
  // class by class), so blocks of consecutive images would make one-class batches; and random
  // 3 KiB preads from the page cache cost little.

  ImageLayout layout() const { return layout_; }
  Shape stored_shape() const { return stored_; }
  // True when images are read with pread from the file (contiguous storage), false if in memory.
  bool reads_directly() const { return direct_.has_value(); }

 private:
  // Converts `n` stored images at `raw` to (C, size, size) at `out`.
  void convert(const std::uint8_t* raw, std::int64_t n, std::uint8_t* out) const;

  std::filesystem::path path_;
  std::string dataset_;
  int size_;
  std::int64_t count_ = 0;
  Shape stored_;
  ImageLayout layout_ = ImageLayout::nchw;
  std::optional<ReadOnlyFile> direct_;  // contiguous storage: the file, read at data_offset_
  std::int64_t data_offset_ = 0;
  std::vector<std::uint8_t> memory_;    // other storage: all images, as stored
  std::vector<std::int32_t> labels_;
};

// Reports progress of a conversion: images written so far, and the total.
using ConvertProgress = std::function<void(std::int64_t done, std::int64_t total)>;

// Writes every image (and label) of `source` to `file` as dataset `dataset` in `layout`, in the
// format above. The file is written under a temporary name next to it and renamed when complete,
// so a failed conversion never leaves a half-written file under the final name. An existing file
// is replaced. Throws DataError (naming the file) on failure.
void write_hdf5_images(const Source& source, const std::filesystem::path& file, const std::string& dataset,
                       ImageLayout layout, const ConvertProgress& progress = {});

}  // namespace hierad::data
