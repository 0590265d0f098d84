// Checks an image file's bytes before stb_image decodes them. stb_image has a history of
// memory-safety bugs on hostile files, and Debian 12's copy (git 2022-09-08) still overflows its
// Huffman size table on a JPEG whose DHT segment declares more than 256 codes (found by
// tests/fuzz, fixed upstream in 2.28). So only what hierad needs reaches it:
//  - PNG or JPEG by signature (stb would otherwise also run its PSD, GIF, BMP, TGA, HDR, PIC and
//    PNM decoders on a file named .png);
//  - JPEG: every Huffman table (DHT) anywhere in the file declares at most 256 codes;
//  - PNG: no empty IDAT chunk before the first one with data (stb's pointer arithmetic on NULL);
//  - at most kMaxImagePixels pixels (from the header, stbi_info_from_memory), so a small file
//    cannot make the decoder allocate gigabytes, and no more than the file's bytes can encode
//    (1,100 pixels a byte for JPEG, 8,800 for PNG), so it cannot make it decode for seconds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace hierad::data {

constexpr std::int64_t kMaxImagePixels = std::int64_t{1} << 26;  // 8192 x 8192

// Empty when the bytes may be decoded, else why not ("not a PNG or JPEG file", ...).
std::string check_image_bytes(const std::uint8_t* bytes, std::size_t size);

}  // namespace hierad::data
