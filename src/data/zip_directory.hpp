// The members of a ZIP archive (what numpy.savez and savez_compressed write: one .npy per array),
// read from its central directory, ZIP64 included (numpy writes every member with ZIP64 fields).
// Only stored (method 0) and deflated (method 8) members can be read; encrypted ones are errors.
#pragma once

#include "src/data/file_io.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace hierad::data {

struct ZipMember {
  std::string name;
  int method = 0;                     // 0 stored, 8 deflated
  std::uint32_t crc32 = 0;
  std::int64_t compressed_size = 0;
  std::int64_t size = 0;              // uncompressed
  std::int64_t data_offset = 0;       // where its (compressed) bytes begin in the archive
};

// Every member, in directory order. Throws DataError naming the file for anything that is not a
// well-formed archive whose members lie inside the file.
std::vector<ZipMember> zip_members(const ReadOnlyFile& file);

// A member's uncompressed bytes (inflated if deflated), checked against its CRC-32.
std::vector<std::uint8_t> read_zip_member(const ReadOnlyFile& file, const ZipMember& member);

}  // namespace hierad::data
