// JPEG decoding through libjpeg-turbo (Debian's libjpeg62-turbo), the decoder of browsers and of
// PIL, the one torchvision pipelines decode with. hierad decoded JPEG with stb_image before; Debian
// 12's stb overflows signed integers in its DC path on hostile files (tests/fuzz finding 20) and
// had overflowed its Huffman tables (finding 2), so JPEG no longer reaches stb. PNG still does,
// behind src/data/image_guard.
//
// As PIL does: warnings about recoverable damage (extraneous bytes, a bad marker) are accepted,
// a file that ends before its image is complete is refused (PIL: "image file is truncated").
// CMYK and YCCK files become RGB (Adobe's inverted CMYK, as Photoshop writes it and as ImageNet's
// few CMYK files are). At most kMaxJpegScans progressive scans: libjpeg-turbo's own advice against
// files built to make it loop (a few hundred bytes, thousands of scans).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace hierad::data {

constexpr int kMaxJpegScans = 1000;

struct DecodedImage {
  int width = 0;
  int height = 0;
  int channels = 0;                 // 1 (grey) or 3 (RGB)
  std::vector<std::uint8_t> pixels;  // interleaved (H, W, C); empty after a header-only read
};

// Decodes bytes into *out. header_only stops after the header (width, height, channels).
// Returns an empty string on success, else the reason ("JPEG: ...").
std::string decode_jpeg(const std::uint8_t* bytes, std::size_t size, DecodedImage* out, bool header_only = false);

}  // namespace hierad::data
