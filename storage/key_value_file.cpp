#include "storage/key_value_file.hpp"

#include "storage/durable_file.hpp"

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace hierad::storage {
namespace {

std::string quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string unquote(const std::string& text, const std::string& where) {
  std::string out;
  for (std::size_t i = 1; i + 1 < text.size(); ++i) {
    if (text[i] == '\\' && i + 2 < text.size()) {
      ++i;
      out += text[i] == 'n' ? '\n' : text[i];
    } else if (text[i] == '\\') {
      throw std::runtime_error(where + ": bad escape");
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

void KeyValues::set(const std::string& key, double number) {
  char text[40];
  std::snprintf(text, sizeof text, "%.17g", number);
  numbers_[key] = text;
  strings_.erase(key);
}

std::optional<std::string> KeyValues::text(const std::string& key) const {
  const auto it = strings_.find(key);
  if (it == strings_.end()) return std::nullopt;
  return it->second;
}

std::optional<double> KeyValues::number(const std::string& key) const {
  const auto it = numbers_.find(key);
  if (it == numbers_.end()) return std::nullopt;
  return std::stod(it->second);
}

void write_key_values(const std::filesystem::path& path, const KeyValues& values, const std::string& header) {
  std::ostringstream out;
  out << "# " << header << "\n";
  for (const auto& [key, text] : values.strings()) out << key << " = " << quote(text) << "\n";
  for (const auto& [key, number] : values.numbers()) {
    // TOML spells non-finite floats nan/inf.
    const std::string spelled = number == "nan" || number == "-nan" ? "nan" : number;
    out << key << " = " << spelled << "\n";
  }
  write_file_atomically(path, out.str());
}

std::optional<KeyValues> read_key_values_if_present(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  KeyValues values;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    const std::string where = path.string() + ":" + std::to_string(number);
    const std::size_t equals = line.find(" = ");
    if (equals == std::string::npos) throw std::runtime_error(where + ": expected `key = value`");
    const std::string key = line.substr(0, equals);
    const std::string value = line.substr(equals + 3);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      values.strings_[key] = unquote(value, where);
    } else {
      try {
        (void)std::stod(value);
      } catch (const std::exception&) {
        throw std::runtime_error(where + ": " + key + " is neither a number nor a quoted string");
      }
      values.numbers_[key] = value;
    }
  }
  return values;
}

}  // namespace hierad::storage
