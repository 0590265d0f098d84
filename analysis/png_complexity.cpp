#include "analysis/png_complexity.hpp"

#include <png.h>
#include <zlib.h>

#include <csetjmp>
#include <new>
#include <stdexcept>
#include <string>

namespace hierad::analysis {
namespace {

// libpng reports errors by longjmp-ing to the setjmp point of the caller; C++ exceptions must not
// cross its C frames. So the error callback records the message and longjmps, and the C++ side turns
// the message into an exception after setjmp returns. Everything that owns memory (the output vector,
// the interleaved rows) lives in the caller's frame, created before setjmp, so the longjmp skips no
// destructor.
struct WriteState {
  std::vector<std::uint8_t>* output = nullptr;
  std::string error;
};

void on_error(png_structp png, png_const_charp message) {
  auto* state = static_cast<WriteState*>(png_get_error_ptr(png));
  state->error = message ? message : "unknown libpng error";
  png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}  // nothing we write can trigger a useful warning

void on_write(png_structp png, png_bytep data, png_size_t length) {
  auto* state = static_cast<WriteState*>(png_get_io_ptr(png));
  bool stored = true;
  try {
    state->output->insert(state->output->end(), data, data + length);
  } catch (const std::bad_alloc&) {  // must not unwind through libpng's C frames
    stored = false;
  }
  if (!stored) png_error(png, "out of memory while collecting the PNG stream");
}

void on_flush(png_structp) {}

// Owns the libpng write structures.
class PngWriter {
 public:
  explicit PngWriter(WriteState& state)
      : png_(png_create_write_struct(PNG_LIBPNG_VER_STRING, &state, on_error, on_warning)) {
    if (png_ == nullptr) throw std::runtime_error("libpng: cannot create a write struct");
    info_ = png_create_info_struct(png_);
    if (info_ == nullptr) {
      png_destroy_write_struct(&png_, nullptr);
      throw std::runtime_error("libpng: cannot create an info struct");
    }
    png_set_write_fn(png_, &state, on_write, on_flush);
  }
  ~PngWriter() { png_destroy_write_struct(&png_, &info_); }
  PngWriter(const PngWriter&) = delete;
  PngWriter& operator=(const PngWriter&) = delete;

  png_structp png() const { return png_; }
  png_infop info() const { return info_; }

 private:
  png_structp png_ = nullptr;
  png_infop info_ = nullptr;
};

// All libpng calls, behind one setjmp. Returns false if libpng reported an error.
bool write_png(PngWriter& writer, const ImageCHW& image, std::vector<png_bytep>& rows) {
  png_structp png = writer.png();
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_IHDR(png, writer.info(), static_cast<png_uint_32>(image.width),
               static_cast<png_uint_32>(image.height), 8,
               image.channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_compression_level(png, Z_BEST_COMPRESSION);
  png_set_compression_mem_level(png, 9);  // zlib's largest: better matches, still tiny for 32x32
  png_write_info(png, writer.info());
  png_write_image(png, rows.data());
  png_write_end(png, nullptr);
  return true;
}

}  // namespace

std::vector<std::uint8_t> encode_png_max_compression(const ImageCHW& image) {
  if (image.channels != 1 && image.channels != 3) {
    throw std::invalid_argument("encode_png_max_compression: PNG needs 1 (grey) or 3 (RGB) channels, got " +
                                std::to_string(image.channels));
  }
  if (image.height <= 0 || image.width <= 0 || image.pixels == nullptr) {
    throw std::invalid_argument("encode_png_max_compression: empty image (" + std::to_string(image.height) +
                                "x" + std::to_string(image.width) + ")");
  }
  // PNG stores rows of interleaved samples (RGBRGB...); ours are planes.
  const std::size_t c = static_cast<std::size_t>(image.channels);
  const std::size_t h = static_cast<std::size_t>(image.height);
  const std::size_t w = static_cast<std::size_t>(image.width);
  std::vector<std::uint8_t> interleaved(c * h * w);
  for (std::size_t ch = 0; ch < c; ++ch) {
    for (std::size_t i = 0; i < h * w; ++i) interleaved[i * c + ch] = image.pixels[ch * h * w + i];
  }
  std::vector<png_bytep> rows(h);
  for (std::size_t y = 0; y < h; ++y) rows[y] = interleaved.data() + y * w * c;

  std::vector<std::uint8_t> output;
  WriteState state{&output, {}};
  PngWriter writer(state);
  if (!write_png(writer, image, rows)) {
    throw std::runtime_error("libpng failed to encode a " + std::to_string(image.channels) + "x" +
                             std::to_string(image.height) + "x" + std::to_string(image.width) +
                             " image: " + state.error);
  }
  return output;
}

double png_bits_per_dim(const ImageCHW& image) {
  const std::vector<std::uint8_t> png = encode_png_max_compression(image);
  return 8.0 * static_cast<double>(png.size()) /
         (static_cast<double>(image.channels) * image.height * image.width);
}

}  // namespace hierad::analysis
