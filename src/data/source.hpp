// The image source interface every reader implements, and a range view over any source.
//
// A source is a fixed, indexable list of uint8 images in (C, H, W) order, already at the size the
// model reads (32x32: readers resize their own formats). Labels are optional (-1 where a format
// has none). All const member functions must be safe to call from several threads at once: the
// loader's prefetch threads call read() concurrently (readers use pread or in-memory arrays).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace hierad::data {

struct Shape {
  int channels = 0;
  int height = 0;
  int width = 0;

  std::int64_t pixels() const { return std::int64_t{height} * width; }
  std::int64_t bytes() const { return std::int64_t{channels} * height * width; }
  bool operator==(const Shape& o) const {
    return channels == o.channels && height == o.height && width == o.width;
  }
  bool operator!=(const Shape& o) const { return !(*this == o); }
};

class Source {
 public:
  virtual ~Source() = default;

  virtual std::int64_t size() const = 0;
  virtual Shape shape() const = 0;
  // Copies image `index` (0 <= index < size()) to out[0 .. shape().bytes()) in (C, H, W) order.
  virtual void read(std::int64_t index, std::uint8_t* out) const = 0;
  // Images first .. first+count-1, back to back. Streamed readers override it to issue one
  // sequential read per run of consecutive images; the default calls read() per image.
  virtual void read_many(std::int64_t first, std::int64_t count, std::uint8_t* out) const;
  // Images indices[0 .. n), back to back: what the loader calls for a batch. The default issues
  // one read_many per run of consecutive indices; streamed readers override it to fetch the next
  // images' bytes while the current one is converted (a shuffled window's images are scattered).
  virtual void read_indices(const std::int64_t* indices, std::int64_t n, std::uint8_t* out) const;
  // Class label of image `index`, or -1 if the format has none.
  virtual int label(std::int64_t index) const = 0;
  // Human-readable origin (format and path), used in logs and error messages.
  virtual std::string name() const = 0;
  // True for large streamed sets (Tiny Images) whose reads should stay sequential: the loader then
  // shuffles blocks of consecutive images instead of single images.
  virtual bool streamed() const { return false; }
  // A hint that images first .. first+count-1 will be read soon (the loader's shuffle window,
  // sampler.hpp): streamed readers start reading them in the background. Never changes what a
  // read returns; the default does nothing.
  virtual void will_need(std::int64_t /*first*/, std::int64_t /*count*/) const {}
};

// Images first .. first+count-1 of `source` (count -1: up to the end) as a source of their own.
// Throws DataError naming the source if the range does not fit.
std::unique_ptr<Source> slice(std::unique_ptr<Source> source, std::int64_t first, std::int64_t count);

}  // namespace hierad::data
