#include "src/data/channels.hpp"

#include "src/data/data_error.hpp"

#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace hierad::data {

void convert_channels(const std::uint8_t* in, int from, std::uint8_t* out, int to, std::int64_t pixels,
                      std::int64_t images) {
  for (std::int64_t n = 0; n < images; ++n, in += from * pixels, out += to * pixels) {
    if (from == to) {
      std::memcpy(out, in, static_cast<std::size_t>(from * pixels));
    } else if (from == 3) {  // planes R, G, B -> one grey plane
      const std::uint8_t* r = in;
      const std::uint8_t* g = in + pixels;
      const std::uint8_t* b = in + 2 * pixels;
      for (std::int64_t p = 0; p < pixels; ++p) out[p] = grey_of_rgb(r[p], g[p], b[p]);
    } else {  // one grey plane -> three copies
      for (int c = 0; c < 3; ++c) std::memcpy(out + c * pixels, in, static_cast<std::size_t>(pixels));
    }
  }
}

namespace {

// Reads the inner source's images into a per-thread buffer (the loader's threads read
// concurrently) and converts them into the caller's.
class ChannelView final : public Source {
 public:
  ChannelView(std::unique_ptr<Source> inner, int channels) : inner_(std::move(inner)), channels_(channels) {}

  std::int64_t size() const override { return inner_->size(); }
  Shape shape() const override {
    Shape s = inner_->shape();
    s.channels = channels_;
    return s;
  }
  void read(std::int64_t index, std::uint8_t* out) const override {
    convert_from(out, 1, [&](std::uint8_t* in) { inner_->read(index, in); });
  }
  void read_many(std::int64_t first, std::int64_t count, std::uint8_t* out) const override {
    convert_from(out, count, [&](std::uint8_t* in) { inner_->read_many(first, count, in); });
  }
  void read_indices(const std::int64_t* indices, std::int64_t n, std::uint8_t* out) const override {
    convert_from(out, n, [&](std::uint8_t* in) { inner_->read_indices(indices, n, in); });
  }
  int label(std::int64_t index) const override { return inner_->label(index); }
  std::string name() const override {
    return inner_->name() + (channels_ == 1 ? " (as grey)" : " (grey as RGB)");
  }
  bool streamed() const override { return inner_->streamed(); }
  void will_need(std::int64_t first, std::int64_t count) const override { inner_->will_need(first, count); }

 private:
  template <class Read>
  void convert_from(std::uint8_t* out, std::int64_t images, Read&& read) const {
    const Shape in_shape = inner_->shape();
    thread_local std::vector<std::uint8_t> buffer;
    buffer.resize(static_cast<std::size_t>(images * in_shape.bytes()));
    read(buffer.data());
    convert_channels(buffer.data(), in_shape.channels, out, channels_, in_shape.pixels(), images);
  }

  std::unique_ptr<Source> inner_;
  int channels_;
};

}  // namespace

std::unique_ptr<Source> with_channels(std::unique_ptr<Source> source, int channels) {
  if (channels == 0) return source;
  if (channels != 1 && channels != 3) {
    throw DataError(source->name(), "channels = " + std::to_string(channels) + ": expected 1 (grey) or 3 (RGB)");
  }
  const int own = source->shape().channels;
  if (own == channels) return source;
  if (own != 1 && own != 3) {
    throw DataError(source->name(), "images of " + std::to_string(own) + " channels cannot be converted to " +
                                        std::to_string(channels) + " (only grey <-> RGB)");
  }
  return std::make_unique<ChannelView>(std::move(source), channels);
}

}  // namespace hierad::data
