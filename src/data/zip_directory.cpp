#include "src/data/zip_directory.hpp"

#include "src/data/data_error.hpp"

#include <zlib.h>

#include <algorithm>
#include <limits>

namespace hierad::data {
namespace {

constexpr std::uint32_t kEndOfDirectory = 0x06054b50;
constexpr std::uint32_t kZip64Locator = 0x07064b50;
constexpr std::uint32_t kZip64End = 0x06064b50;
constexpr std::uint32_t kDirectoryEntry = 0x02014b50;
constexpr std::uint32_t kLocalHeader = 0x04034b50;
constexpr std::uint32_t kAll32 = 0xffffffffu;

// Little-endian fields of a byte buffer, bounds-checked: a field past the end is a DataError.
class Fields {
 public:
  Fields(const std::vector<std::uint8_t>& bytes, const std::filesystem::path& file) : bytes_(bytes), file_(file) {}
  std::uint64_t get(std::size_t at, int width) const {
    if (at > bytes_.size() || bytes_.size() - at < static_cast<std::size_t>(width)) {
      throw DataError(file_, "truncated ZIP structure");
    }
    std::uint64_t v = 0;
    for (int i = width - 1; i >= 0; --i) v = (v << 8) | bytes_[at + static_cast<std::size_t>(i)];
    return v;
  }
  std::uint32_t u32(std::size_t at) const { return static_cast<std::uint32_t>(get(at, 4)); }
  std::uint16_t u16(std::size_t at) const { return static_cast<std::uint16_t>(get(at, 2)); }
  std::uint64_t u64(std::size_t at) const { return get(at, 8); }

 private:
  const std::vector<std::uint8_t>& bytes_;
  const std::filesystem::path& file_;
};

std::vector<std::uint8_t> read_range(const ReadOnlyFile& file, std::int64_t offset, std::int64_t bytes) {
  if (offset < 0 || bytes < 0 || offset > file.size() || bytes > file.size() - offset) {
    throw DataError(file.path(), "ZIP structure points outside the file (" + std::to_string(file.size()) + " bytes)");
  }
  std::vector<std::uint8_t> out(static_cast<std::size_t>(bytes));
  if (bytes > 0) file.read_at(offset, out.size(), out.data());
  return out;
}

// The ZIP64 extra field (id 1) of a directory entry: the 64-bit values of the 32-bit fields that
// hold 0xffffffff, in the order size, compressed size, local header offset.
void apply_zip64_extra(const std::vector<std::uint8_t>& extra, const std::filesystem::path& file, bool need_size,
                       bool need_compressed, bool need_offset, ZipMember& member, std::int64_t& local) {
  const Fields f(extra, file);
  for (std::size_t at = 0; at + 4 <= extra.size();) {
    const std::uint16_t id = f.u16(at), length = f.u16(at + 2);
    std::size_t value = at + 4;
    if (id == 1) {
      if (need_size) {
        member.size = static_cast<std::int64_t>(f.u64(value));
        value += 8;
      }
      if (need_compressed) {
        member.compressed_size = static_cast<std::int64_t>(f.u64(value));
        value += 8;
      }
      if (need_offset) local = static_cast<std::int64_t>(f.u64(value));
      if (member.size < 0 || member.compressed_size < 0 || local < 0) throw DataError(file, "ZIP64 size out of range");
      return;
    }
    at += 4 + length;
  }
  if (need_size || need_compressed || need_offset) throw DataError(file, "ZIP64 sizes announced but no ZIP64 field");
}

}  // namespace

std::vector<ZipMember> zip_members(const ReadOnlyFile& file) {
  const std::filesystem::path& path = file.path();
  // The end-of-directory record: the last 22 bytes, or earlier by a comment of up to 65,535 bytes.
  const std::int64_t tail_size = std::min<std::int64_t>(file.size(), 22 + 65535);
  const std::vector<std::uint8_t> tail = read_range(file, file.size() - tail_size, tail_size);
  const Fields t(tail, path);
  std::int64_t end = -1;
  for (std::int64_t at = tail_size - 22; at >= 0; --at) {
    if (t.u32(static_cast<std::size_t>(at)) == kEndOfDirectory) {
      end = at;
      break;
    }
  }
  if (end < 0) throw DataError(path, "not a ZIP archive (.npz), or a truncated one: no end-of-directory record");
  const std::size_t e = static_cast<std::size_t>(end);
  std::uint64_t entries = t.u16(e + 10);
  std::uint64_t directory_size = t.u32(e + 12);
  std::uint64_t directory_offset = t.u32(e + 16);
  if (entries == 0xffff || directory_size == kAll32 || directory_offset == kAll32) {
    const std::int64_t locator = file.size() - tail_size + end - 20;
    const std::vector<std::uint8_t> loc = read_range(file, locator, 20);
    const Fields l(loc, path);
    if (l.u32(0) != kZip64Locator) throw DataError(path, "ZIP64 sizes announced but no ZIP64 locator");
    const std::vector<std::uint8_t> record = read_range(file, static_cast<std::int64_t>(std::min<std::uint64_t>(
                                                                    l.u64(8), static_cast<std::uint64_t>(file.size()))),
                                                        56);
    const Fields r(record, path);
    if (r.u32(0) != kZip64End) throw DataError(path, "bad ZIP64 end-of-directory record");
    entries = r.u64(32);
    directory_size = r.u64(40);
    directory_offset = r.u64(48);
  }
  const auto max = static_cast<std::uint64_t>(file.size());
  if (directory_offset > max || directory_size > max - directory_offset || entries > directory_size / 46) {
    throw DataError(path, "ZIP directory (" + std::to_string(entries) + " entries) does not fit in the file");
  }
  const std::vector<std::uint8_t> directory =
      read_range(file, static_cast<std::int64_t>(directory_offset), static_cast<std::int64_t>(directory_size));
  const Fields d(directory, path);
  std::vector<ZipMember> members;
  std::size_t at = 0;
  for (std::uint64_t i = 0; i < entries; ++i) {
    if (d.u32(at) != kDirectoryEntry) throw DataError(path, "bad ZIP directory entry " + std::to_string(i));
    ZipMember m;
    const std::uint16_t flags = d.u16(at + 8);
    m.method = d.u16(at + 10);
    m.crc32 = d.u32(at + 16);
    const std::uint32_t compressed = d.u32(at + 20), size = d.u32(at + 24);
    const std::uint16_t name_length = d.u16(at + 28), extra_length = d.u16(at + 30), comment_length = d.u16(at + 32);
    const std::uint32_t local32 = d.u32(at + 42);
    const std::size_t name_at = at + 46;
    if (name_at + name_length + extra_length > directory.size()) throw DataError(path, "truncated ZIP directory");
    m.name.assign(reinterpret_cast<const char*>(directory.data() + name_at), name_length);
    m.compressed_size = compressed;
    m.size = size;
    std::int64_t local = local32;
    const std::vector<std::uint8_t> extra(directory.begin() + static_cast<std::ptrdiff_t>(name_at + name_length),
                                          directory.begin() + static_cast<std::ptrdiff_t>(name_at + name_length + extra_length));
    apply_zip64_extra(extra, path, size == kAll32, compressed == kAll32, local32 == kAll32, m, local);
    if ((flags & 1) != 0) throw DataError(path, "ZIP member " + m.name + " is encrypted");
    // The member's bytes follow its local header, whose name and extra field may differ in length.
    const std::vector<std::uint8_t> header = read_range(file, local, 30);
    const Fields h(header, path);
    if (h.u32(0) != kLocalHeader) throw DataError(path, "ZIP member " + m.name + ": bad local header");
    m.data_offset = local + 30 + h.u16(26) + h.u16(28);
    if (m.data_offset > file.size() || m.compressed_size > file.size() - m.data_offset) {
      throw DataError(path, "ZIP member " + m.name + " goes past the end of the file (truncated?)");
    }
    members.push_back(std::move(m));
    at = name_at + name_length + extra_length + comment_length;
  }
  return members;
}

std::vector<std::uint8_t> read_zip_member(const ReadOnlyFile& file, const ZipMember& member) {
  const std::filesystem::path& path = file.path();
  const std::string what = "ZIP member " + member.name;
  std::vector<std::uint8_t> packed = read_range(file, member.data_offset, member.compressed_size);
  std::vector<std::uint8_t> out;
  if (member.method == 0) {
    if (member.size != member.compressed_size) throw DataError(path, what + ": stored with two different sizes");
    out = std::move(packed);
  } else if (member.method == 8) {
    // Deflate expands at most ~1032:1: a larger announced size is a corrupt (or hostile) directory.
    if (member.size / 1032 > member.compressed_size + 1) throw DataError(path, what + ": implausible uncompressed size");
    out.resize(static_cast<std::size_t>(member.size));
    z_stream z{};
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK) throw DataError(path, what + ": cannot start zlib");
    std::size_t in_done = 0, out_done = 0;
    int status = Z_OK;
    constexpr std::size_t kStep = std::numeric_limits<uInt>::max();
    while (status == Z_OK) {
      z.next_in = packed.data() + in_done;
      z.avail_in = static_cast<uInt>(std::min(packed.size() - in_done, kStep));
      z.next_out = out.data() + out_done;
      z.avail_out = static_cast<uInt>(std::min(out.size() - out_done, kStep));
      const uInt in_before = z.avail_in, out_before = z.avail_out;
      status = inflate(&z, Z_NO_FLUSH);
      in_done += in_before - z.avail_in;
      out_done += out_before - z.avail_out;
      if (status == Z_BUF_ERROR || (status == Z_OK && in_before == z.avail_in && out_before == z.avail_out)) break;
    }
    inflateEnd(&z);
    if (status != Z_STREAM_END || out_done != out.size()) {
      throw DataError(path, what + ": corrupt deflate data (" + std::to_string(out_done) + " of " +
                                std::to_string(out.size()) + " bytes inflated)");
    }
  } else {
    throw DataError(path, what + ": compression method " + std::to_string(member.method) +
                              " (only stored and deflated members can be read)");
  }
  uLong crc = ::crc32(0L, Z_NULL, 0);
  for (std::size_t done = 0; done < out.size();) {
    const uInt n = static_cast<uInt>(std::min<std::size_t>(out.size() - done, 1u << 30));
    crc = ::crc32(crc, out.data() + done, n);
    done += n;
  }
  if (static_cast<std::uint32_t>(crc) != member.crc32) throw DataError(path, what + ": CRC-32 mismatch (corrupt file)");
  return out;
}

}  // namespace hierad::data
