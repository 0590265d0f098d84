#pragma once
// CRC-32 (zlib's polynomial, the one `zlib.crc32`/`binascii.crc32` compute) over raw bytes, and an
// accumulator for checksumming a structured manifest field by field.

#include <cstddef>
#include <cstdint>
#include <string>

namespace hierad::storage {

std::uint32_t crc32_of(const void* data, std::size_t size, std::uint32_t running = 0);

class Crc32 {
 public:
  void add_bytes(const void* data, std::size_t size) { crc_ = crc32_of(data, size, crc_); }
  void add_u8(std::uint8_t v) { add_bytes(&v, 1); }
  void add_u32(std::uint32_t v) { add_bytes(&v, sizeof v); }
  void add_i64(std::int64_t v) { add_bytes(&v, sizeof v); }
  void add_f64(double v) { add_bytes(&v, sizeof v); }
  // Length-prefixed, so ("ab","c") and ("a","bc") differ.
  void add_string(const std::string& s) {
    add_i64(static_cast<std::int64_t>(s.size()));
    add_bytes(s.data(), s.size());
  }
  std::uint32_t value() const { return crc_; }

 private:
  std::uint32_t crc_ = 0;
};

}  // namespace hierad::storage
