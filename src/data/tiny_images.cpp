#include "src/data/tiny_images.hpp"

#include "src/data/data_error.hpp"
#include "src/data/exclusion_list.hpp"

#include <algorithm>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <string>

namespace hierad::data {

namespace {

#if defined(__SSE2__)
// Transposes a 16x16 byte block. Interleaving row i with row i+8 byte by byte rotates each
// element's 8-bit (row, column) address left by one bit; four rounds swap row and column.
inline void transpose16(const std::uint8_t* src, int src_stride, std::uint8_t* dst, int dst_stride) {
  __m128i a[16], b[16];
  for (int i = 0; i < 16; ++i) a[i] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i * src_stride));
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < 8; ++i) {
      b[2 * i] = _mm_unpacklo_epi8(a[i], a[i + 8]);
      b[2 * i + 1] = _mm_unpackhi_epi8(a[i], a[i + 8]);
    }
    for (int i = 0; i < 16; ++i) a[i] = b[i];
  }
  for (int i = 0; i < 16; ++i) _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i * dst_stride), a[i]);
}
#endif

}  // namespace

void tiny_to_chw(const std::uint8_t* tiny, std::uint8_t* chw) {
  for (int c = 0; c < 3; ++c) {
    const std::uint8_t* plane = tiny + c * 1024;  // plane[col * 32 + row]
    std::uint8_t* dst = chw + c * 1024;           // dst[row * 32 + col]
#if defined(__SSE2__)
    // The 32x32 transpose as four 16x16 blocks: output block (rows bi, columns bj) is the
    // transpose of stored block (columns bj, rows bi).
    for (int bi = 0; bi < 2; ++bi)
      for (int bj = 0; bj < 2; ++bj) transpose16(plane + bj * 16 * 32 + bi * 16, 32, dst + bi * 16 * 32 + bj * 16, 32);
#else
    for (int row = 0; row < 32; ++row)
      for (int col = 0; col < 32; ++col) dst[row * 32 + col] = plane[col * 32 + row];
#endif
  }
}

TinyImagesSource::TinyImagesSource(const std::filesystem::path& file, const std::filesystem::path& exclude, TinyIo io)
    : file_(file) {
  if (file_.size() % kImageBytes != 0)
    throw DataError(file, "size " + std::to_string(file_.size()) + " bytes is not a whole number of 3072-byte images");
  file_images_ = file_.size() / kImageBytes;
  if (!exclude.empty()) excluded_ = read_exclusion_list(exclude, file_images_);
  shift_.resize(excluded_.size());
  for (std::size_t j = 0; j < excluded_.size(); ++j) shift_[j] = excluded_[j] - static_cast<std::int64_t>(j);
  if (io == TinyIo::mmap) mapping_ = std::make_unique<FileMapping>(file_);
}

std::string TinyImagesSource::name() const { return "tiny:" + file_.path().string(); }

std::int64_t TinyImagesSource::file_index(std::int64_t index) const {
  const auto skipped = std::upper_bound(shift_.begin(), shift_.end(), index) - shift_.begin();
  return index + skipped;
}

void TinyImagesSource::read_many(std::int64_t first, std::int64_t count, std::uint8_t* out) const {
  if (first < 0 || count < 0 || first + count > size())
    throw DataError(file_.path(), "images " + std::to_string(first) + ".." + std::to_string(first + count) +
                                      " requested from a source of " + std::to_string(size()));
  std::int64_t done = 0;
  while (done < count) {
    // The run of consecutive file images starting at file_index(first+done) ends at the next exclusion.
    const std::int64_t start = file_index(first + done);
    const auto next_excl = std::upper_bound(excluded_.begin(), excluded_.end(), start);
    const std::int64_t run_end = next_excl == excluded_.end() ? file_images_ : *next_excl;
    const std::int64_t run = std::min(count - done, run_end - start);
    copy_run(start, run, out + done * kImageBytes);
    done += run;
  }
}

void TinyImagesSource::read_indices(const std::int64_t* indices, std::int64_t n, std::uint8_t* out) const {
  if (!mapping_) return Source::read_indices(indices, n, out);
  thread_local std::vector<std::int64_t> at;  // file index of each image
  at.resize(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    if (indices[i] < 0 || indices[i] >= size())
      throw DataError(file_.path(), "image " + std::to_string(indices[i]) + " requested from a source of " +
                                        std::to_string(size()));
    at[static_cast<std::size_t>(i)] = excluded_.empty() ? indices[i] : file_index(indices[i]);
  }
  // Four images ahead (1, 2, 4 and 8 measured alike within the noise of the shared VM).
  constexpr std::int64_t kAhead = 4;
  const std::uint8_t* base = mapping_->data();
  const auto prefetch = [&](std::int64_t i) {
    const std::uint8_t* p = base + at[static_cast<std::size_t>(i)] * kImageBytes;
    for (std::int64_t line = 0; line < kImageBytes; line += 64) __builtin_prefetch(p + line);
  };
  for (std::int64_t i = 0; i < std::min(n, kAhead); ++i) prefetch(i);
  for (std::int64_t i = 0; i < n; ++i) {
    if (i + kAhead < n) prefetch(i + kAhead);
    tiny_to_chw(base + at[static_cast<std::size_t>(i)] * kImageBytes, out + i * kImageBytes);
  }
  const std::int64_t bytes = n * kImageBytes;
  const std::int64_t before = mapped_read_.fetch_add(bytes, std::memory_order_relaxed);
  if (before < kDropBytes && before + bytes >= kDropBytes) {
    mapping_->drop_page_tables();
    mapped_read_.fetch_sub(before + bytes, std::memory_order_relaxed);
  }
}

void TinyImagesSource::will_need(std::int64_t first, std::int64_t count) const {
  if (count <= 0 || first < 0 || first + count > size()) return;
  // Excluded images inside the range are read ahead too: one call per block, not per run.
  const std::int64_t begin = file_index(first), end = file_index(first + count - 1) + 1;
  file_.will_need(begin * kImageBytes, (end - begin) * kImageBytes);
}

void TinyImagesSource::copy_run(std::int64_t start, std::int64_t count, std::uint8_t* out) const {
  if (mapping_) {
    const std::uint8_t* src = mapping_->data() + start * kImageBytes;
    for (std::int64_t k = 0; k < count; ++k) tiny_to_chw(src + k * kImageBytes, out + k * kImageBytes);
    // Every kDropBytes read, one caller drops the page tables the reads have built up.
    const std::int64_t bytes = count * kImageBytes;
    const std::int64_t before = mapped_read_.fetch_add(bytes, std::memory_order_relaxed);
    if (before < kDropBytes && before + bytes >= kDropBytes) {
      mapping_->drop_page_tables();
      mapped_read_.fetch_sub(before + bytes, std::memory_order_relaxed);
    }
    return;
  }
  // pread: pieces of at most kStage images into a per-thread buffer that stays in cache, each
  // transposed from there into `out`.
  constexpr std::int64_t kStage = 64;
  thread_local std::vector<std::uint8_t> stage;
  stage.resize(static_cast<std::size_t>(kStage * kImageBytes));
  for (std::int64_t done = 0; done < count;) {
    const std::int64_t piece = std::min(count - done, kStage);
    file_.read_at((start + done) * kImageBytes, static_cast<std::size_t>(piece * kImageBytes), stage.data());
    for (std::int64_t k = 0; k < piece; ++k) tiny_to_chw(stage.data() + k * kImageBytes, out + (done + k) * kImageBytes);
    done += piece;
  }
}

}  // namespace hierad::data
