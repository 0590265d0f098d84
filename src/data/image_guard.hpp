// Checks an image file's bytes before a decoder sees them. PNG goes to stb_image, which has a
// history of memory-safety bugs on hostile files; JPEG goes to libjpeg-turbo (jpeg_decode.hpp),
// since Debian 12's stb (git 2022-09-08) overflowed its Huffman tables and signed DC arithmetic on
// hostile JPEGs (tests/fuzz findings 2 and 20). So only what hierad needs reaches stb:
//  - PNG or JPEG by signature (stb would otherwise also run its PSD, GIF, BMP, TGA, HDR, PIC and
//    PNM decoders on a file named .png);
//  - PNG: no empty IDAT chunk before the first one with data (stb's pointer arithmetic on NULL),
//    no chunk running past the end of the file (stb reallocs to the declared length);
//  - at most kMaxImagePixels pixels (from the header), so a small file cannot make the decoder
//    allocate gigabytes, and no more than the file's bytes can encode (1,100 pixels a byte for
//    JPEG, 8,800 for PNG), so it cannot make it decode for seconds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace hierad::data {

constexpr std::int64_t kMaxImagePixels = std::int64_t{1} << 26;  // 8192 x 8192

// Empty when the bytes may be decoded, else why not ("not a PNG or JPEG file", ...). For JPEG only
// the signature and size: the header is libjpeg-turbo's to read, and it calls check_pixel_count.
std::string check_image_bytes(const std::uint8_t* bytes, std::size_t size);

// Empty when a width x height image may be decoded from a file of file_bytes, else why not.
std::string check_pixel_count(std::int64_t width, std::int64_t height, std::size_t file_bytes, bool png);

}  // namespace hierad::data
