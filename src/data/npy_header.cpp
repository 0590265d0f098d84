#include "src/data/npy_header.hpp"

#include "src/data/data_error.hpp"

#include <cctype>
#include <cstring>
#include <limits>

namespace hierad::data {
namespace {

constexpr std::size_t kMaxHeader = 1 << 16;  // numpy itself refuses more than 10,000 bytes by default

// A cursor over the dict literal; every failure names the file and what was expected.
class DictParser {
 public:
  DictParser(const std::string& text, const std::filesystem::path& file) : text_(text), file_(file) {}

  NpyHeader parse() {
    NpyHeader header;
    bool have_descr = false, have_order = false, have_shape = false;
    expect('{');
    while (true) {
      skip_space();
      if (peek() == '}') break;
      const std::string key = string_literal();
      expect(':');
      if (key == "descr") {
        skip_space();
        if (peek() != '\'' && peek() != '"') fail("'descr' is not a plain dtype string (a structured dtype?)");
        header.descr = string_literal();
        have_descr = true;
      } else if (key == "fortran_order") {
        header.fortran_order = boolean();
        have_order = true;
      } else if (key == "shape") {
        header.shape = tuple();
        have_shape = true;
      } else {
        fail("unexpected key '" + key + "'");
      }
      skip_space();
      if (peek() == ',') ++at_;
    }
    if (!have_descr || !have_order || !have_shape) fail("needs 'descr', 'fortran_order' and 'shape'");
    return header;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw DataError(file_, "bad .npy header at character " + std::to_string(at_) + ": " + what + " (header: " +
                               text_.substr(0, 200) + ")");
  }
  char peek() const { return at_ < text_.size() ? text_[at_] : '\0'; }
  void skip_space() {
    while (at_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[at_]))) ++at_;
  }
  void expect(char c) {
    skip_space();
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++at_;
  }
  std::string string_literal() {
    skip_space();
    const char quote = peek();
    if (quote != '\'' && quote != '"') fail("expected a quoted string");
    const std::size_t end = text_.find(quote, at_ + 1);
    if (end == std::string::npos) fail("unterminated string");
    std::string value = text_.substr(at_ + 1, end - at_ - 1);
    at_ = end + 1;
    return value;
  }
  bool boolean() {
    skip_space();
    if (text_.compare(at_, 4, "True") == 0) {
      at_ += 4;
      return true;
    }
    if (text_.compare(at_, 5, "False") == 0) {
      at_ += 5;
      return false;
    }
    fail("expected True or False");
  }
  std::vector<std::int64_t> tuple() {
    expect('(');
    std::vector<std::int64_t> dims;
    while (true) {
      skip_space();
      if (peek() == ')') break;
      if (!std::isdigit(static_cast<unsigned char>(peek()))) fail("expected a dimension");
      std::int64_t value = 0;
      while (std::isdigit(static_cast<unsigned char>(peek()))) {
        if (value > (std::numeric_limits<std::int64_t>::max() - 9) / 10) fail("dimension too large");
        value = value * 10 + (text_[at_++] - '0');
      }
      if (peek() == 'L') ++at_;  // Python 2 longs
      dims.push_back(value);
      skip_space();
      if (peek() == ',') ++at_;
      if (dims.size() > 32) fail("more than 32 dimensions");
    }
    ++at_;
    return dims;
  }

  const std::string& text_;
  const std::filesystem::path& file_;
  std::size_t at_ = 0;
};

std::uint32_t little_endian(const std::uint8_t* p, int bytes) {
  std::uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

std::int64_t NpyHeader::elements() const {
  std::int64_t n = 1;
  for (std::int64_t d : shape) {
    if (d != 0 && n > std::numeric_limits<std::int64_t>::max() / d) return std::numeric_limits<std::int64_t>::max();
    n *= d;
  }
  return n;
}

NpyHeader parse_npy_header(const std::uint8_t* bytes, std::size_t size, const std::filesystem::path& file) {
  static const std::uint8_t magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  if (size < 10 || std::memcmp(bytes, magic, 6) != 0) throw DataError(file, "not a .npy array (no \\x93NUMPY magic)");
  const int major = bytes[6];
  if (major < 1 || major > 3) throw DataError(file, ".npy format version " + std::to_string(major) + " is not 1, 2 or 3");
  const int length_bytes = major == 1 ? 2 : 4;
  const std::size_t prefix = 8 + static_cast<std::size_t>(length_bytes);
  if (size < prefix) throw DataError(file, "truncated .npy header");
  const std::size_t length = little_endian(bytes + 8, length_bytes);
  if (length > kMaxHeader) throw DataError(file, ".npy header of " + std::to_string(length) + " bytes (more than 64 KiB)");
  if (size < prefix + length) throw DataError(file, "truncated .npy header (" + std::to_string(length) + " bytes announced)");
  const std::string text(reinterpret_cast<const char*>(bytes + prefix), length);
  NpyHeader header = DictParser(text, file).parse();
  header.data_offset = static_cast<std::int64_t>(prefix + length);
  return header;
}

NpyType npy_type(const std::string& descr, const std::filesystem::path& file) {
  NpyType type;
  std::size_t at = 0;
  if (!descr.empty() && (descr[0] == '<' || descr[0] == '>' || descr[0] == '|' || descr[0] == '=')) {
    type.big_endian = descr[0] == '>';
    at = 1;
  }
  const std::string rest = descr.substr(at);
  const bool known = rest == "u1" || rest == "u2" || rest == "u4" || rest == "u8" || rest == "i1" || rest == "i2" ||
                     rest == "i4" || rest == "i8" || rest == "f2" || rest == "f4" || rest == "f8" || rest == "b1";
  if (!known) throw DataError(file, "dtype '" + descr + "' is not a plain integer, float or bool type");
  type.kind = rest[0];
  type.item_size = rest[1] - '0';
  if (type.item_size == 1) type.big_endian = false;
  return type;
}

}  // namespace hierad::data
