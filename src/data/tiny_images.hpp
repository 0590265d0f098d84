// 80M Tiny Images, tiny_images.bin: no header, 3072 bytes per image, image i at byte i*3072; byte
// c*1024 + col*32 + row holds pixel (c, row, col) (three colour planes, each column-major).
//
// The file is never loaded. Two ways to read it (TinyIo):
//  - mmap (default): the file is mapped once and each image is transposed straight out of the
//    page cache: no kernel copy, about 3x less CPU per image than pread on the benchmark
//    machine (README figures). A file truncated or failing with an I/O error while mapped ends
//    the process with SIGBUS (file_io.hpp); page-table entries are dropped every kDropBytes.
//  - pread: one read per run of consecutive images (pieces of 64) into a per-thread buffer, then
//    the transpose; I/O errors become DataErrors. For network file systems or changing files.
// Either way the loader's block shuffle turns into sequential reads. An optional exclusion list
// (80mn_cifar_idxs.txt: 1-based indices) removes images; index i of this source is the i-th image
// that is not excluded.
#pragma once

#include "src/data/file_io.hpp"
#include "src/data/source.hpp"

#include <atomic>
#include <filesystem>
#include <memory>
#include <vector>

namespace hierad::data {

enum class TinyIo { mmap, pread };

class TinyImagesSource final : public Source {
 public:
  static constexpr std::int64_t kImageBytes = 3072;
  static constexpr std::int64_t kDropBytes = std::int64_t{1} << 30;  // mmap: page tables kept <= ~2 MiB

  // Throws DataError if the file is missing, its size is not a multiple of 3072 bytes, or the
  // exclusion list is invalid. An empty `exclude` path means no exclusion.
  explicit TinyImagesSource(const std::filesystem::path& file, const std::filesystem::path& exclude = {},
                            TinyIo io = TinyIo::mmap);

  std::int64_t size() const override { return file_images_ - static_cast<std::int64_t>(excluded_.size()); }
  Shape shape() const override { return {3, 32, 32}; }
  void read(std::int64_t index, std::uint8_t* out) const override { read_many(index, 1, out); }
  void read_many(std::int64_t first, std::int64_t count, std::uint8_t* out) const override;
  // mmap: images straight from the mapping, each next image's bytes prefetched into the cache
  // while the current one is transposed (a window's images are scattered over the file: without
  // the prefetch every image waits for DRAM); pread: runs as read_many.
  void read_indices(const std::int64_t* indices, std::int64_t n, std::uint8_t* out) const override;
  int label(std::int64_t) const override { return -1; }
  std::string name() const override;
  bool streamed() const override { return true; }
  // Reads the file range of these images ahead into the page cache (both reading modes).
  void will_need(std::int64_t first, std::int64_t count) const override;

  // Position in the file (0-based) of image `index` of this source.
  std::int64_t file_index(std::int64_t index) const;
  std::int64_t excluded_count() const { return static_cast<std::int64_t>(excluded_.size()); }
  TinyIo io() const { return mapping_ ? TinyIo::mmap : TinyIo::pread; }

 private:
  // Transposes `count` consecutive file images starting at file image `start` into out.
  void copy_run(std::int64_t start, std::int64_t count, std::uint8_t* out) const;

  ReadOnlyFile file_;
  std::unique_ptr<FileMapping> mapping_;          // null: pread
  mutable std::atomic<std::int64_t> mapped_read_{0};  // bytes read through the mapping since the last drop
  std::int64_t file_images_ = 0;
  std::vector<std::int64_t> excluded_;  // sorted 0-based file indices
  // shift_[j] = excluded_[j] - j: the source index at which the j-th exclusion takes effect.
  // file_index(i) = i + (number of j with shift_[j] <= i); shift_ is non-decreasing.
  std::vector<std::int64_t> shift_;
};

// Converts one image from the Tiny layout (c*1024 + col*32 + row) to (C, H, W).
void tiny_to_chw(const std::uint8_t* tiny, std::uint8_t* chw);

}  // namespace hierad::data
