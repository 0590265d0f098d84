#include "src/data/image_guard.hpp"

#include <stb_image.h>

#include <climits>
#include <cstring>

namespace hierad::data {

namespace {

bool starts_with(const std::uint8_t* bytes, std::size_t size, const char* magic, std::size_t n) {
  return size >= n && std::memcmp(bytes, magic, n) == 0;
}

// PNG chunks walked as stb walks them (length, type, data, CRC from the signature on, up to IEND or
// the end of the file); a chunk longer than the rest of the file is refused. A zero-length IDAT
// before any image data makes stb compute
// `idata + 0` with idata still NULL (stb_image.h:5130, undefined behaviour; found by tests/fuzz):
// refused. libpng accepts such a file, but no encoder writes one.
std::string check_png_chunks(const std::uint8_t* p, std::size_t size) {
  const auto be32 = [p](std::size_t at) {
    return (std::uint32_t{p[at]} << 24) | (std::uint32_t{p[at + 1]} << 16) | (std::uint32_t{p[at + 2]} << 8) | p[at + 3];
  };
  bool have_data = false;
  for (std::size_t at = 8; at + 8 <= size;) {
    const std::uint32_t length = be32(at);
    const bool idat = std::memcmp(p + at + 4, "IDAT", 4) == 0;
    if (idat && length == 0 && !have_data) return "PNG with an empty IDAT chunk before any image data";
    if (idat && length > 0) have_data = true;
    if (std::memcmp(p + at + 4, "IEND", 4) == 0) break;
    // stb grows its IDAT buffer to a chunk's declared length before reading it: a 2 GB realloc for
    // a short file (tests/fuzz finding 16). A chunk past the end of the file is a truncated PNG.
    if (length > size - at - 8) return "PNG chunk of " + std::to_string(length) + " bytes runs past the end of the file";
    at += 12 + std::size_t{length};
  }
  return {};
}

}  // namespace

std::string check_pixel_count(std::int64_t width, std::int64_t height, std::size_t file_bytes, bool png) {
  if (width * height > kMaxImagePixels)
    return std::to_string(width) + "x" + std::to_string(height) + " pixels is more than hierad decodes (" +
           std::to_string(kMaxImagePixels) + " pixels)";
  // More pixels than the file's bytes can encode: a decoder would decode the whole declared image
  // from nothing, for seconds (a 762-byte JPEG of 241x65287 pixels took stb 1.8 s, tests/fuzz
  // finding 18). Deflate expands at most ~1032x, so a PNG holds at most ~1100 pixels a byte at 8
  // bits (8x that at 1 bit); a JPEG needs a few bits for every 8x8 block, so 1100 pixels a byte is
  // far beyond any real file.
  const std::int64_t per_byte = png ? 8 * 1100 : 1100;
  if (width * height > per_byte * static_cast<std::int64_t>(file_bytes))
    return std::to_string(width) + "x" + std::to_string(height) + " pixels cannot be encoded in " +
           std::to_string(file_bytes) + " bytes (truncated file or decompression bomb)";
  return {};
}

std::string check_image_bytes(const std::uint8_t* bytes, std::size_t size) {
  const bool png = starts_with(bytes, size, "\x89PNG\r\n\x1a\n", 8);
  const bool jpeg = starts_with(bytes, size, "\xFF\xD8\xFF", 3);
  if (!png && !jpeg) return "not a PNG or JPEG file";
  if (size > static_cast<std::size_t>(INT_MAX)) return "file too large";
  if (jpeg) return {};  // libjpeg-turbo checks the rest (jpeg_decode.cpp calls check_pixel_count)
  if (std::string why = check_png_chunks(bytes, size); !why.empty()) return why;
  int w = 0, h = 0, n = 0;
  if (!stbi_info_from_memory(bytes, static_cast<int>(size), &w, &h, &n)) {
    const char* why = stbi_failure_reason();
    return std::string("cannot read the image header: ") + (why ? why : "unknown stb_image error");
  }
  return check_pixel_count(w, h, size, /*png=*/true);
}

}  // namespace hierad::data
