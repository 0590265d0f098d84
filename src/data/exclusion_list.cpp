#include "src/data/exclusion_list.hpp"

#include "src/data/data_error.hpp"
#include "src/data/file_io.hpp"

#include <algorithm>
#include <charconv>
#include <string>
#include <string_view>

namespace hierad::data {

namespace {

std::string_view trim(std::string_view s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::vector<std::int64_t> read_exclusion_list(const std::filesystem::path& path, std::int64_t image_count) {
  const std::vector<std::uint8_t> bytes = read_whole_file(path);
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  std::vector<std::int64_t> excluded;
  std::size_t line_start = 0;
  for (std::int64_t line = 1; line_start < text.size(); ++line) {
    std::size_t line_end = text.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = text.size();
    const std::string_view entry = trim(text.substr(line_start, line_end - line_start));
    line_start = line_end + 1;
    if (entry.empty()) continue;

    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(entry.data(), entry.data() + entry.size(), value);
    if (ec != std::errc() || end != entry.data() + entry.size() || entry.front() == '-')
      throw DataError(path, "line " + std::to_string(line) + ": '" + std::string(entry) +
                                "' is not a positive integer image index");
    if (value < 1 || value > image_count)
      throw DataError(path, "line " + std::to_string(line) + ": index " + std::to_string(value) +
                                " is out of range 1.." + std::to_string(image_count) + " (indices are 1-based)");
    excluded.push_back(value - 1);
  }
  std::sort(excluded.begin(), excluded.end());
  excluded.erase(std::unique(excluded.begin(), excluded.end()), excluded.end());
  return excluded;
}

}  // namespace hierad::data
