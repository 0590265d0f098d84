#include "src/data/idx.hpp"

#include "src/data/data_error.hpp"
#include "src/data/file_io.hpp"
#include "src/data/resize.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

namespace hierad::data {

namespace {

// A gzip or plain file read through zlib (gzread passes plain files through unchanged).
class GzReader {
 public:
  explicit GzReader(const std::filesystem::path& path) : path_(path) {
    require_exists(path);
    file_ = gzopen(path.c_str(), "rb");
    if (!file_) throw DataError(path, std::string("cannot open: ") + std::strerror(errno));
    gzbuffer(file_, 1 << 20);
  }
  ~GzReader() { gzclose(file_); }
  GzReader(const GzReader&) = delete;
  GzReader& operator=(const GzReader&) = delete;

  // Reads up to `bytes`; returns how many were read (fewer only at the end of the data).
  std::size_t read(void* out, std::size_t bytes) {
    std::size_t done = 0;
    while (done < bytes) {
      const unsigned ask = static_cast<unsigned>(std::min<std::size_t>(bytes - done, 1u << 30));
      const int got = gzread(file_, static_cast<char*>(out) + done, ask);
      if (got < 0) {
        int code = 0;
        const char* msg = gzerror(file_, &code);
        throw DataError(path_, std::string("decompression failed: ") + (msg ? msg : "unknown zlib error"));
      }
      if (got == 0) break;
      done += static_cast<std::size_t>(got);
    }
    // A gzip stream cut short reads as a clean end of data plus an error state: report it.
    int code = Z_OK;
    const char* msg = gzerror(file_, &code);
    if (code != Z_OK && code != Z_STREAM_END)
      throw DataError(path_, std::string("decompression failed: ") + (msg ? msg : "unknown zlib error"));
    return done;
  }

 private:
  std::filesystem::path path_;
  gzFile file_ = nullptr;
};

std::uint32_t big_endian(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

std::string hex(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", v);
  return buf;
}

// Reads the header of an IDX file of unsigned bytes with `dims` dimensions and returns them.
std::vector<std::uint32_t> read_header(GzReader& in, const std::filesystem::path& path, int dims) {
  std::array<std::uint8_t, 4> magic{};
  if (in.read(magic.data(), 4) != 4) throw DataError(path, "too short for an IDX header");
  const std::uint32_t expected = 0x00000800u | static_cast<std::uint32_t>(dims);
  const std::uint32_t got = big_endian(magic.data());
  if (got != expected)
    throw DataError(path, "wrong IDX magic number " + hex(got) + ", expected " + hex(expected) + " (" +
                              (dims == 3 ? "unsigned-byte images" : "unsigned-byte labels") + ")");
  std::vector<std::uint32_t> sizes(static_cast<std::size_t>(dims));
  for (auto& s : sizes) {
    std::array<std::uint8_t, 4> b{};
    if (in.read(b.data(), 4) != 4) throw DataError(path, "truncated IDX header");
    s = big_endian(b.data());
  }
  return sizes;
}

// Reads exactly `bytes` bytes of payload and checks that nothing follows.
void read_payload(GzReader& in, const std::filesystem::path& path, std::uint8_t* out, std::size_t bytes) {
  const std::size_t got = in.read(out, bytes);
  if (got != bytes)
    throw DataError(path, "truncated: the header announces " + std::to_string(bytes) + " bytes of data, found " +
                              std::to_string(got));
  std::uint8_t extra = 0;
  if (in.read(&extra, 1) != 0)
    throw DataError(path, "has data after the " + std::to_string(bytes) + " bytes its header announces");
}

}  // namespace

IdxSource::IdxSource(const std::filesystem::path& images, const std::filesystem::path& labels, int size)
    : path_(images), size_(size) {
  {
    GzReader in(images);
    const auto dims = read_header(in, images, 3);
    count_ = dims[0];
    // Checked as the unsigned values of the header, before narrowing: a size of 2^31 or more
    // would otherwise become a negative int, pass the check and wrap image_bytes (fuzz finding).
    if (dims[1] == 0 || dims[2] == 0 || dims[1] > 4096 || dims[2] > 4096)
      throw DataError(images, "implausible image size " + std::to_string(dims[1]) + "x" + std::to_string(dims[2]));
    rows_ = static_cast<int>(dims[1]);
    cols_ = static_cast<int>(dims[2]);
    // Decoded in chunks, so that a header announcing more images than the file holds fails as
    // "truncated" instead of allocating what it announces.
    const std::size_t image_bytes = static_cast<std::size_t>(rows_) * cols_;
    const std::size_t out_bytes = static_cast<std::size_t>(size_) * size_;
    // At most ~64 MiB of raw pixels per chunk: 4096 images of up to 4096x4096 would be 64 GiB
    // allocated on the header's word alone (fuzz finding).
    const std::int64_t chunk = std::max<std::int64_t>(1, (std::int64_t{64} << 20) / static_cast<std::int64_t>(image_bytes));
    std::vector<std::uint8_t> raw;
    const BilinearResizer resize(rows_, cols_, size_, size_);
    for (std::int64_t first = 0; first < count_; first += chunk) {
      const std::int64_t n = std::min(chunk, count_ - first);
      raw.resize(image_bytes * static_cast<std::size_t>(n));
      const std::size_t got = in.read(raw.data(), raw.size());
      if (got != raw.size())
        throw DataError(images, "truncated: the header announces " + std::to_string(count_) + " images of " +
                                    std::to_string(rows_) + "x" + std::to_string(cols_) + ", the data ends in image " +
                                    std::to_string(first + static_cast<std::int64_t>(got / image_bytes)));
      pixels_.resize(out_bytes * static_cast<std::size_t>(first + n));
      for (std::int64_t i = 0; i < n; ++i) resize(raw.data() + i * image_bytes, 1, pixels_.data() + (first + i) * out_bytes);
    }
    std::uint8_t extra = 0;
    if (in.read(&extra, 1) != 0)
      throw DataError(images, "has data after the " + std::to_string(count_) + " images its header announces");
  }
  if (!labels.empty()) {
    GzReader in(labels);
    const auto dims = read_header(in, labels, 1);
    if (dims[0] != count_)
      throw DataError(labels, "has " + std::to_string(dims[0]) + " labels for the " + std::to_string(count_) +
                                  " images of " + images.string());
    labels_.resize(static_cast<std::size_t>(count_));
    read_payload(in, labels, labels_.data(), labels_.size());
  }
}

void IdxSource::read(std::int64_t index, std::uint8_t* out) const {
  if (index < 0 || index >= count_)
    throw DataError(path_, "image " + std::to_string(index) + " requested from " + std::to_string(count_));
  const std::size_t bytes = static_cast<std::size_t>(size_) * size_;
  std::memcpy(out, pixels_.data() + static_cast<std::size_t>(index) * bytes, bytes);
}

IdxSplitFiles idx_split_files(const std::filesystem::path& folder, const std::string& split) {
  if (split != "train" && split != "test")
    throw DataError(folder, "unknown split '" + split + "' (expected train or test)");
  const std::string prefix = split == "train" ? "train" : "t10k";
  std::error_code ec;  // a path that cannot be examined counts as absent
  const auto find = [&](const std::string& stem) -> std::filesystem::path {
    for (const char* suffix : {".gz", ""}) {
      const auto p = folder / (stem + suffix);
      if (std::filesystem::exists(p, ec)) return p;
    }
    return {};
  };
  IdxSplitFiles files;
  files.images = find(prefix + "-images-idx3-ubyte");
  if (files.images.empty())
    throw DataError(folder / (prefix + "-images-idx3-ubyte.gz"), "does not exist (expected the " + split +
                                                                     " images of an MNIST-style folder)");
  files.labels = find(prefix + "-labels-idx1-ubyte");
  return files;
}

}  // namespace hierad::data
