#include "src/data/image_guard.hpp"

#include <stb_image.h>

#include <climits>
#include <cstring>

namespace hierad::data {

namespace {

bool starts_with(const std::uint8_t* bytes, std::size_t size, const char* magic, std::size_t n) {
  return size >= n && std::memcmp(bytes, magic, n) == 0;
}

// One DHT segment's payload: tables of (class/id byte, 16 code counts, the symbols).
std::string check_dht(const std::uint8_t* p, std::size_t n) {
  std::size_t at = 0;
  while (at < n) {
    if (n - at < 17) return "JPEG Huffman table (DHT) is truncated";
    std::size_t codes = 0;
    for (int i = 1; i <= 16; ++i) codes += p[at + i];
    if (codes > 256) return "JPEG Huffman table (DHT) declares " + std::to_string(codes) + " codes (at most 256)";
    at += 17;
    if (n - at < codes) return "JPEG Huffman table (DHT) is truncated";
    at += codes;
  }
  return {};
}

// Walks the JPEG's marker segments, skipping the entropy-coded data after each SOS (a
// progressive JPEG has DHT segments between its scans), and checks every DHT.
std::string check_jpeg_segments(const std::uint8_t* p, std::size_t size) {
  std::size_t at = 2;  // after SOI
  while (at + 1 < size) {
    if (p[at] != 0xFF) return {};  // not a marker: stb reports the damage itself
    const std::uint8_t marker = p[at + 1];
    at += 2;
    if (marker == 0xFF) {  // fill byte
      --at;
      continue;
    }
    if (marker == 0xD9) return {};                                      // EOI
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) continue;  // no length field
    if (at + 2 > size) return {};
    const std::size_t length = (std::size_t{p[at]} << 8) | p[at + 1];
    if (length < 2 || at + length > size) return {};  // stb rejects a segment past the end
    if (marker == 0xC4) {
      if (std::string why = check_dht(p + at + 2, length - 2); !why.empty()) return why;
    }
    at += length;
    if (marker == 0xDA) {  // entropy-coded data up to the next marker other than RSTn / stuffed 0
      while (at + 1 < size && !(p[at] == 0xFF && p[at + 1] != 0 && !(p[at + 1] >= 0xD0 && p[at + 1] <= 0xD7))) ++at;
    }
  }
  return {};
}

}  // namespace

std::string check_image_bytes(const std::uint8_t* bytes, std::size_t size) {
  const bool png = starts_with(bytes, size, "\x89PNG\r\n\x1a\n", 8);
  const bool jpeg = starts_with(bytes, size, "\xFF\xD8\xFF", 3);
  if (!png && !jpeg) return "not a PNG or JPEG file";
  if (size > static_cast<std::size_t>(INT_MAX)) return "file too large";
  if (jpeg) {
    if (std::string why = check_jpeg_segments(bytes, size); !why.empty()) return why;
  }
  int w = 0, h = 0, n = 0;
  if (!stbi_info_from_memory(bytes, static_cast<int>(size), &w, &h, &n)) {
    const char* why = stbi_failure_reason();
    return std::string("cannot read the image header: ") + (why ? why : "unknown stb_image error");
  }
  if (std::int64_t{w} * h > kMaxImagePixels)
    return std::to_string(w) + "x" + std::to_string(h) + " pixels is more than hierad decodes (" +
           std::to_string(kMaxImagePixels) + " pixels)";
  return {};
}

}  // namespace hierad::data
