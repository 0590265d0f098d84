// NumPy image sets: .npy arrays and .npz archives of them, the formats today's general
// distributions ship in (the 300K random images of OOD work, downsampled ImageNet 32x32).
//
//   npy   one uint8 array per file; labels: none (-1)
//   npz   the member named by `dataset` (default: images, else data, else arr_0: the first the
//         archive has), and its `labels` member if there is one (any integer type, one per image,
//         kept as stored: ImageNet32's are 1..1000)
// The image array is uint8, C order, one of
//   [N, 32, 32, C]   HWC images, C = 1 or 3 (np.save of the usual [N, H, W, C] batch)
//   [N, C, 32, 32]   CHW images
//   [N, 32, 32]      grey images
//   [N, 3072]        the R, G and B planes of each image, row-major (ImageNet32's `data`); [N, 1024] grey
// A .npy file, and a stored (np.savez) member, is memory-mapped and never loaded; a deflated
// (np.savez_compressed) member is inflated into memory at open (3 KiB an image) and its CRC checked.
// A folder path means every .npy (or .npz) file in it, in natural order (batch_2 before batch_10),
// as one set. Errors name the file: a wrong dtype or shape, Fortran order, a truncated array.
#pragma once

#include "src/data/file_io.hpp"
#include "src/data/source.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace hierad::data {

enum class NumpyKind { npy, npz };

class NumpySource final : public Source {
 public:
  NumpySource(NumpyKind kind, const std::filesystem::path& path, const std::string& member = "images");
  ~NumpySource() override;

  std::int64_t size() const override { return size_; }
  Shape shape() const override { return shape_; }
  void read(std::int64_t index, std::uint8_t* out) const override;
  int label(std::int64_t index) const override;
  std::string name() const override { return name_; }

 private:
  struct Part;
  const Part& part_of(std::int64_t& index) const;

  std::string name_;
  Shape shape_;
  std::int64_t size_ = 0;
  std::vector<std::unique_ptr<Part>> parts_;
  std::vector<std::int64_t> starts_;  // index of each part's first image
};

// The files of a folder-shaped NumPy set: every *.npy (npy) or *.npz (npz) file directly in
// `folder`, in natural order. Throws DataError if there is none.
std::vector<std::filesystem::path> numpy_folder_files(NumpyKind kind, const std::filesystem::path& folder);

}  // namespace hierad::data
