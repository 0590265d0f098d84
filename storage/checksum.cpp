#include "storage/checksum.hpp"

#include <zlib.h>

namespace hierad::storage {

std::uint32_t crc32_of(const void* data, std::size_t size, std::uint32_t running) {
  // crc32_z takes a size_t length, so arrays above 4 GiB need no splitting.
  return static_cast<std::uint32_t>(crc32_z(running, static_cast<const Bytef*>(data), size));
}

}  // namespace hierad::storage
