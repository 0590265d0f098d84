// ExperimentConfig -> TOML text, one "key = value  # doc" line per key, from the same schema the
// reader uses. Values are printed so that they read back exactly (shortest round-trip doubles).
#include "src/config/config_io.hpp"
#include "src/config/config_schema.hpp"

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <type_traits>

namespace hierad::config {
namespace {

std::string quote(const std::string& text) {
  std::string out = "\"";
  for (char ch : text) {
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", ch);
          out += buffer;
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

// The shortest decimal that parses back to the same double, always with a '.' or an exponent so
// that TOML reads it as a float.
std::string format_double(double value) {
  char buffer[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value) break;
  }
  std::string text(buffer);
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";  // 'n': inf/nan never occur
  return text;
}

// A TOML bare key, or a quoted one when the name has other characters.
std::string table_key(const std::string& name) {
  const bool bare = !name.empty() && name.find_first_not_of(
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == std::string::npos;
  return bare ? name : quote(name);
}

template <class T>
std::string format_value(const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    return value ? "true" : "false";
  } else if constexpr (std::is_integral_v<T>) {
    return std::to_string(static_cast<std::int64_t>(value));
  } else if constexpr (std::is_floating_point_v<T>) {
    return format_double(value);
  } else if constexpr (std::is_same_v<T, std::string>) {
    return quote(value);
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    std::string out = "[";
    for (std::size_t i = 0; i < value.size(); ++i) out += (i ? ", " : "") + quote(value[i]);
    return out + "]";
  } else {
    static_assert(std::is_enum_v<T>, "unsupported config value type");
    return quote(to_string(value));
  }
}

class WriteVisitor {
 public:
  WriteVisitor(std::ostringstream& out, std::string prefix) : out_(out), prefix_(std::move(prefix)) {}

  template <class T>
  void field(const char* key, const T& value, const Check<T>& /*check*/, const char* doc) {
    std::string line = std::string(key) + " = " + format_value(value);
    if (line.size() < 40) line.resize(40, ' ');
    out_ << line << "  # " << doc << "\n";
  }

  template <class S>
  void section(const char* key, S& sub) {
    write_table(path(key), sub);
  }

  void optional_source(const char* key, std::optional<SourceConfig>& source) {
    if (source) write_table(path(key), *source);
  }

  void source_map(const char* key, std::map<std::string, SourceConfig>& sources) {
    for (auto& [name, source] : sources) write_table(path(key) + "." + table_key(name), source);
  }

 private:
  template <class S>
  void write_table(const std::string& table_path, S& target) {
    out_ << "\n[" << table_path << "]\n";
    WriteVisitor inner(out_, table_path);
    visit_fields(target, inner);
  }

  std::string path(const std::string& key) const { return prefix_.empty() ? key : prefix_ + "." + key; }

  std::ostringstream& out_;
  std::string prefix_;
};

// The same walk as WriteVisitor, one bare "path = value" line per key.
class LinesVisitor {
 public:
  LinesVisitor(std::vector<std::string>& out, std::string prefix) : out_(out), prefix_(std::move(prefix)) {}

  template <class T>
  void field(const char* key, const T& value, const Check<T>& /*check*/, const char* /*doc*/) {
    out_.push_back(path(key) + " = " + format_value(value));
  }

  template <class S>
  void section(const char* key, S& sub) {
    LinesVisitor inner(out_, path(key));
    visit_fields(sub, inner);
  }

  void optional_source(const char* key, std::optional<SourceConfig>& source) {
    if (source) table(path(key), *source);
  }

  void source_map(const char* key, std::map<std::string, SourceConfig>& sources) {
    for (auto& [name, source] : sources) table(path(key) + "." + table_key(name), source);
  }

 private:
  void table(const std::string& table_path, SourceConfig& source) {
    out_.push_back("[" + table_path + "]");
    LinesVisitor inner(out_, table_path);
    visit_fields(source, inner);
  }

  std::string path(const std::string& key) const { return prefix_.empty() ? key : prefix_ + "." + key; }

  std::vector<std::string>& out_;
  std::string prefix_;
};

}  // namespace

std::vector<std::string> key_value_lines(const ExperimentConfig& config) {
  std::vector<std::string> lines;
  ExperimentConfig copy = config;  // the visitor takes non-const references (shared with the reader)
  LinesVisitor visitor(lines, "");
  visit_fields(copy, visitor);
  return lines;
}

std::string to_toml(const ExperimentConfig& config) {
  std::ostringstream out;
  out << "# hierad experiment configuration, every key resolved (defaults included)\n";
  ExperimentConfig copy = config;  // the visitor takes non-const references (shared with the reader)
  WriteVisitor visitor(out, "");
  visit_fields(copy, visitor);
  return out.str();
}

}  // namespace hierad::config
