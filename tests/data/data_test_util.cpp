#include "tests/data/data_test_util.hpp"

#include "src/data/data_error.hpp"
#include "src/data/random.hpp"

#include <zlib.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace hierad::data::test {

std::uint8_t pattern_byte(std::int64_t image, std::int64_t byte, std::uint64_t salt) {
  return static_cast<std::uint8_t>(hash_key({static_cast<std::uint64_t>(image), static_cast<std::uint64_t>(byte), salt}));
}

PatternSource::PatternSource(std::int64_t size, Shape shape, int classes, std::uint64_t salt)
    : size_(size), shape_(shape), classes_(classes), salt_(salt) {}

void PatternSource::read(std::int64_t index, std::uint8_t* out) const {
  if (index < 0 || index >= size_) throw std::out_of_range("PatternSource index " + std::to_string(index));
  if (index == fail_at_) throw DataError("pattern-file", "image " + std::to_string(index) + " is unreadable");
  for (std::int64_t k = 0; k < shape_.bytes(); ++k) out[k] = pattern_byte(index, k, salt_);
}

void PatternSource::read_many(std::int64_t first, std::int64_t count, std::uint8_t* out) const {
  ++read_calls_;
  for (std::int64_t i = 0; i < count; ++i) read(first + i, out + i * shape_.bytes());
}

void PatternSource::will_need(std::int64_t first, std::int64_t count) const {
  std::lock_guard<std::mutex> lock(advised_mutex_);
  advised_.emplace_back(first, count);
}

std::vector<std::pair<std::int64_t, std::int64_t>> PatternSource::advised() const {
  std::lock_guard<std::mutex> lock(advised_mutex_);
  return advised_;
}

std::vector<std::uint8_t> PatternSource::image(std::int64_t index) const {
  std::vector<std::uint8_t> v(static_cast<std::size_t>(shape_.bytes()));
  for (std::int64_t k = 0; k < shape_.bytes(); ++k) v[static_cast<std::size_t>(k)] = pattern_byte(index, k, salt_);
  return v;
}

void write_bytes(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  write_bytes(path, std::vector<std::uint8_t>(text.begin(), text.end()));
}

std::vector<std::uint8_t> gzip_bytes(const std::vector<std::uint8_t>& bytes) {
  z_stream zs{};
  // windowBits 15 + 16: a gzip wrapper, as the .gz files of MNIST have.
  if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2 failed");
  std::vector<std::uint8_t> out(deflateBound(&zs, static_cast<uLong>(bytes.size())));
  zs.next_in = const_cast<Bytef*>(bytes.data());
  zs.avail_in = static_cast<uInt>(bytes.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
  return out;
}

namespace {
void put_be32(std::vector<std::uint8_t>& v, std::uint32_t x) {
  for (int s = 24; s >= 0; s -= 8) v.push_back(static_cast<std::uint8_t>(x >> s));
}
}  // namespace

std::vector<std::uint8_t> idx_images(std::int64_t n, int rows, int cols, const std::vector<std::uint8_t>& pixels) {
  std::vector<std::uint8_t> v;
  put_be32(v, 0x00000803);
  put_be32(v, static_cast<std::uint32_t>(n));
  put_be32(v, static_cast<std::uint32_t>(rows));
  put_be32(v, static_cast<std::uint32_t>(cols));
  v.insert(v.end(), pixels.begin(), pixels.end());
  return v;
}

std::vector<std::uint8_t> idx_labels(const std::vector<std::uint8_t>& labels) {
  std::vector<std::uint8_t> v;
  put_be32(v, 0x00000801);
  put_be32(v, static_cast<std::uint32_t>(labels.size()));
  v.insert(v.end(), labels.begin(), labels.end());
  return v;
}

std::vector<std::uint8_t> read_image(const Source& source, std::int64_t index) {
  std::vector<std::uint8_t> v(static_cast<std::size_t>(source.shape().bytes()));
  source.read(index, v.data());
  return v;
}

}  // namespace hierad::data::test
