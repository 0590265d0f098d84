#include "src/data/mat_guard.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace hierad::data {

namespace {

constexpr std::uint32_t kMiMatrix = 14, kMiCompressed = 15;
constexpr std::uint64_t kMaxExpansion = 1100;  // deflate inflates at most ~1032x

struct Reader {
  const std::uint8_t* p;
  std::size_t n;
  bool swap;
  bool u32(std::size_t at, std::uint32_t& v) const {
    if (at + 4 > n) return false;
    v = swap ? (std::uint32_t{p[at]} << 24 | std::uint32_t{p[at + 1]} << 16 | std::uint32_t{p[at + 2]} << 8 | p[at + 3])
             : (std::uint32_t{p[at + 3]} << 24 | std::uint32_t{p[at + 2]} << 16 | std::uint32_t{p[at + 1]} << 8 | p[at]);
    return true;
  }
};

// The start of a matrix element's payload: array flags, dimensions, name. Sub-elements in the
// small format (size in the tag's upper half) hold at most 4 bytes; one that declares more is
// damaged (libmatio took such a size, or array flags of an unknown type, as a field length and
// calloc'ed 2.5 GB for it: tests/fuzz/regressions/svhn/matio_calloc_2_5gb_small_element).
std::string check_matrix(const Reader& r, std::uint64_t capacity, std::size_t element_at) {
  constexpr std::uint32_t kMiUint32 = 6;
  std::size_t at = 0;
  for (int sub = 0; sub < 3; ++sub) {
    std::uint32_t type = 0, bytes = 0;
    if (!r.u32(at, type)) return {};  // shorter than the prefix: matio reports it
    if (type >> 16) {
      if ((type >> 16) > 4)
        return "variable at byte " + std::to_string(element_at) + " has a small-format field of " +
               std::to_string(type >> 16) + " bytes (at most 4; damaged file)";
      if (sub == 0) return "variable at byte " + std::to_string(element_at) + ": array flags in a small-format field";
      at += 8;
      continue;
    }
    if (sub == 0 && type != kMiUint32)
      return "variable at byte " + std::to_string(element_at) + ": array flags of type " + std::to_string(type) +
             " (MAT files store them as miUINT32; damaged file)";
    if (!r.u32(at + 4, bytes)) return {};
    if (bytes > capacity)
      return "variable at byte " + std::to_string(element_at) + " declares a " + std::to_string(bytes) +
             "-byte header field in " + std::to_string(capacity) + " bytes (truncated or damaged file)";
    at += 8 + (bytes + 7) / 8 * 8;
  }
  return {};
}

std::vector<std::uint8_t> inflate_prefix(const std::vector<std::uint8_t>& in, std::size_t want) {
  std::vector<std::uint8_t> out(want);
  z_stream z{};
  if (inflateInit(&z) != Z_OK) return {};
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  inflate(&z, Z_SYNC_FLUSH);
  out.resize(out.size() - z.avail_out);
  inflateEnd(&z);
  return out;
}

}  // namespace

std::string check_mat5_headers(const ReadOnlyFile& file) {
  const std::int64_t size = file.size();
  // Without a v5/v7.3 header matio falls back to its Level 4 reader, which allocates a name length
  // read from the first bytes (1.7 GB for a 156-byte file: tests/fuzz finding 14). SVHN is v5.
  if (size < 128) return "too short for a MAT-file header (128 bytes)";
  std::uint8_t header[128];
  file.read_at(0, sizeof header, header);
  const bool little = header[126] == 'I' && header[127] == 'M', big = header[126] == 'M' && header[127] == 'I';
  if (!little && !big) return "not a MATLAB 5 or 7.3 MAT-file (no endian indicator at byte 126)";
  const int version = little ? header[124] | header[125] << 8 : header[125] | header[124] << 8;
  if (version == 0x0200) return {};  // v7.3: HDF5 inside, left to matio
  if (version != 0x0100) return "MAT-file version " + std::to_string(version) + " (expected 0x0100, MATLAB 5)";
  const bool swap = big;
  std::int64_t at = 128;
  while (at + 8 <= size) {
    std::uint8_t tag[8];
    file.read_at(at, 8, tag);
    std::uint32_t type = 0, bytes = 0;
    const Reader t{tag, 8, swap};
    t.u32(0, type);
    t.u32(4, bytes);
    if (type >> 16) return {};  // a small element at top level: matio decides
    if (at + 8 + bytes > size)
      return "variable at byte " + std::to_string(at) + " declares " + std::to_string(bytes) + " bytes, the file has " +
             std::to_string(size - at - 8) + " after it (truncated or damaged file)";
    if (type == kMiMatrix || type == kMiCompressed) {
      std::vector<std::uint8_t> prefix(std::min<std::size_t>(bytes, type == kMiMatrix ? 256 : 4096));
      file.read_at(at + 8, prefix.size(), prefix.data());
      std::uint64_t capacity = bytes;
      if (type == kMiCompressed) {
        prefix = inflate_prefix(prefix, 8 + 256);
        std::uint32_t inner_type = 0, inner_bytes = 0;
        const Reader in{prefix.data(), prefix.size(), swap};
        if (in.u32(0, inner_type) && in.u32(4, inner_bytes) && inner_type == kMiMatrix) {
          capacity = std::min<std::uint64_t>(inner_bytes, kMaxExpansion * bytes);
          prefix.erase(prefix.begin(), prefix.begin() + 8);
        } else {
          prefix.clear();
        }
      }
      if (std::string why = check_matrix({prefix.data(), prefix.size(), swap}, capacity, static_cast<std::size_t>(at));
          !why.empty())
        return why;
    }
    at += 8 + (type == kMiCompressed ? bytes : (std::int64_t{bytes} + 7) / 8 * 8);
  }
  return {};
}

}  // namespace hierad::data
