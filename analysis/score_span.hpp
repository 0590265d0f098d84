// A read-only view of per-example scores (C++17 has no std::span).
//
// Every metric takes its inputs as two ScoreSpans, so callers can pass a std::vector, a slice of a
// larger buffer read from a score file, or a plain pointer + count without copying.
#pragma once

#include <cstddef>
#include <vector>

namespace hierad::analysis {

class ScoreSpan {
 public:
  constexpr ScoreSpan() = default;
  constexpr ScoreSpan(const double* data, std::size_t size) : data_(data), size_(size) {}
  ScoreSpan(const std::vector<double>& values)  // NOLINT: implicit on purpose, like std::span
      : data_(values.data()), size_(values.size()) {}

  constexpr const double* data() const { return data_; }
  constexpr std::size_t size() const { return size_; }
  constexpr bool empty() const { return size_ == 0; }
  constexpr const double* begin() const { return data_; }
  constexpr const double* end() const { return data_ + size_; }
  constexpr double operator[](std::size_t i) const { return data_[i]; }

 private:
  const double* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace hierad::analysis
