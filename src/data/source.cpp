#include "src/data/source.hpp"

#include "src/data/data_error.hpp"

#include <string>
#include <utility>
#include <vector>

namespace hierad::data {

void Source::read_many(std::int64_t first, std::int64_t count, std::uint8_t* out) const {
  const std::int64_t bytes = shape().bytes();
  for (std::int64_t i = 0; i < count; ++i) read(first + i, out + i * bytes);
}

void Source::read_indices(const std::int64_t* indices, std::int64_t n, std::uint8_t* out) const {
  const std::int64_t bytes = shape().bytes();
  for (std::int64_t i = 0; i < n;) {
    std::int64_t j = i + 1;
    while (j < n && indices[j] == indices[j - 1] + 1) ++j;
    read_many(indices[i], j - i, out + i * bytes);
    i = j;
  }
}

namespace {

class SliceSource final : public Source {
 public:
  SliceSource(std::unique_ptr<Source> inner, std::int64_t first, std::int64_t count)
      : inner_(std::move(inner)), first_(first), count_(count) {}

  std::int64_t size() const override { return count_; }
  Shape shape() const override { return inner_->shape(); }
  void read(std::int64_t index, std::uint8_t* out) const override { inner_->read(first_ + index, out); }
  void read_many(std::int64_t first, std::int64_t count, std::uint8_t* out) const override {
    inner_->read_many(first_ + first, count, out);
  }
  int label(std::int64_t index) const override { return inner_->label(first_ + index); }
  std::string name() const override {
    return inner_->name() + " [" + std::to_string(first_) + ", " + std::to_string(first_ + count_) + ")";
  }
  bool streamed() const override { return inner_->streamed(); }
  void will_need(std::int64_t first, std::int64_t count) const override { inner_->will_need(first_ + first, count); }
  void read_indices(const std::int64_t* indices, std::int64_t n, std::uint8_t* out) const override {
    thread_local std::vector<std::int64_t> shifted;
    shifted.assign(indices, indices + n);
    for (auto& i : shifted) {
      if (i < 0 || i >= count_)
        throw DataError(name(), "image " + std::to_string(i) + " requested from a range of " + std::to_string(count_));
      i += first_;
    }
    inner_->read_indices(shifted.data(), n, out);
  }

 private:
  std::unique_ptr<Source> inner_;
  std::int64_t first_;
  std::int64_t count_;
};

}  // namespace

std::unique_ptr<Source> slice(std::unique_ptr<Source> source, std::int64_t first, std::int64_t count) {
  const std::int64_t n = source->size();
  if (first < 0 || first > n)
    throw DataError(source->name(), "first image " + std::to_string(first) + " is outside 0.." + std::to_string(n));
  if (count < -1)
    throw DataError(source->name(), "image count " + std::to_string(count) + " must be -1 (all) or >= 0");
  if (count == -1) count = n - first;
  if (first + count > n)
    throw DataError(source->name(), "range of " + std::to_string(count) + " images from " + std::to_string(first) +
                                        " goes past the last image (" + std::to_string(n) + " images)");
  if (first == 0 && count == n) return source;
  return std::make_unique<SliceSource>(std::move(source), first, count);
}

}  // namespace hierad::data
