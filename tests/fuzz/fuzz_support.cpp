#include "tests/fuzz/fuzz_support.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

namespace hierad::fuzz {
namespace {

struct ScratchDir {
  std::filesystem::path path;
  ScratchDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/hierad-fuzz-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror("hierad fuzz: mkdtemp");
      std::abort();
    }
    path = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

}  // namespace

const std::filesystem::path& scratch_dir() {
  static const ScratchDir dir;
  return dir.path;
}

void write_file(const std::filesystem::path& path, const std::uint8_t* data, std::size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  if (!out) {  // a full scratch disk must not look like a reader rejecting the input
    std::fprintf(stderr, "hierad fuzz: cannot write %s\n", path.c_str());
    std::abort();
  }
}

void write_file(const std::filesystem::path& path, std::string_view bytes) {
  write_file(path, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

bool verbose() {
  static const bool on = std::getenv("HIERAD_FUZZ_VERBOSE") != nullptr;
  return on;
}

std::uint8_t InputReader::take_u8() { return at_ < size_ ? data_[at_++] : 0; }

std::uint16_t InputReader::take_u16() {
  const std::uint16_t lo = take_u8();
  return static_cast<std::uint16_t>(lo | (take_u8() << 8));
}

std::string_view InputReader::take_part() {
  const std::size_t n = std::min<std::size_t>(take_u16(), size_ - at_);
  std::string_view part(reinterpret_cast<const char*>(data_ + at_), n);
  at_ += n;
  return part;
}

std::string_view InputReader::rest() {
  std::string_view part(reinterpret_cast<const char*>(data_ + at_), size_ - at_);
  at_ = size_;
  return part;
}

}  // namespace hierad::fuzz
