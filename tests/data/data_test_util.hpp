// Shared helpers of the data tests: an in-memory source with known pixels,
// and writers for the exact on-disk formats the readers accept (generated at test time).
#pragma once

#include "src/data/data_error.hpp"
#include "src/data/source.hpp"
#include "tests/common/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <utility>
#include <string>
#include <vector>

namespace hierad::data::test {

// The temporary folder every test folder uses.
using hierad::test::TempDir;

// A distinct, reproducible byte for (image, byte position, salt): crafted inputs whose every
// byte can be predicted, so a misplaced byte is always caught.
std::uint8_t pattern_byte(std::int64_t image, std::int64_t byte, std::uint64_t salt = 0);

// Images of `shape` with pattern_byte(i, k, salt) at byte k of image i (C,H,W), labels i % classes
// (or -1 if classes == 0). Counts its read_many calls, to check that reads stay sequential.
class PatternSource final : public Source {
 public:
  PatternSource(std::int64_t size, Shape shape, int classes = 10, std::uint64_t salt = 0);
  std::int64_t size() const override { return size_; }
  Shape shape() const override { return shape_; }
  void read(std::int64_t index, std::uint8_t* out) const override;
  void read_many(std::int64_t first, std::int64_t count, std::uint8_t* out) const override;
  int label(std::int64_t index) const override { return classes_ > 0 ? static_cast<int>(index % classes_) : -1; }
  std::string name() const override { return "pattern"; }
  bool streamed() const override { return streamed_; }
  // Records the hint (ranges of images) for the tests of the loader's read-ahead.
  void will_need(std::int64_t first, std::int64_t count) const override;
  std::vector<std::pair<std::int64_t, std::int64_t>> advised() const;

  std::vector<std::uint8_t> image(std::int64_t index) const;
  std::int64_t read_calls() const { return read_calls_; }
  void set_streamed(bool s) { streamed_ = s; }
  // read() of this index throws DataError (to test error propagation); -1 = never.
  void fail_at(std::int64_t index) { fail_at_ = index; }

 private:
  std::int64_t size_;
  Shape shape_;
  int classes_;
  std::uint64_t salt_;
  bool streamed_ = false;
  std::int64_t fail_at_ = -1;
  mutable std::int64_t read_calls_ = 0;  // only counted from one thread in the tests that read it
  mutable std::mutex advised_mutex_;
  mutable std::vector<std::pair<std::int64_t, std::int64_t>> advised_;  // (first, count) hints
};

void write_bytes(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes);
void write_text(const std::filesystem::path& path, const std::string& text);
std::vector<std::uint8_t> gzip_bytes(const std::vector<std::uint8_t>& bytes);

// IDX file contents: magic 0x0803 + (n, rows, cols) + pixels, or magic 0x0801 + n + labels.
std::vector<std::uint8_t> idx_images(std::int64_t n, int rows, int cols, const std::vector<std::uint8_t>& pixels);
std::vector<std::uint8_t> idx_labels(const std::vector<std::uint8_t>& labels);

// The (C,H,W) bytes of an image read from a source.
std::vector<std::uint8_t> read_image(const Source& source, std::int64_t index);

// Runs f and checks that it throws a DataError naming `file` whose message contains `problem`.
template <typename F>
void expect_data_error(F&& f, const std::filesystem::path& file, const std::string& problem) {
  try {
    f();
    ADD_FAILURE() << "expected a DataError naming " << file << " (" << problem << "), nothing was thrown";
  } catch (const DataError& e) {
    EXPECT_EQ(e.file(), file) << e.what();
    EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(problem), std::string::npos) << "message: " << e.what();
  }
}

}  // namespace hierad::data::test
