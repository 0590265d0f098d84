// TOML -> ExperimentConfig: a visitor over config_schema.hpp that reads each key exactly (an
// integer is accepted where a float is expected, nothing else converts), checks it, and rejects
// every key the schema does not list.
#include "src/config/config_io.hpp"
#include "src/config/config_schema.hpp"
#include "src/config/edit_distance.hpp"
#include "src/config/toml_document.hpp"

#include <limits>
#include <set>
#include <type_traits>

namespace hierad::config {
namespace {

const char* type_name(toml::node_type type) {
  switch (type) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    default: return "nothing";
  }
}

class ReadVisitor {
 public:
  ReadVisitor(const toml::table& table, std::string prefix, const std::string& file)
      : table_(table), prefix_(std::move(prefix)), file_(file) {}

  template <class T>
  void field(const char* key, T& value, const Check<T>& check, const char* /*doc*/) {
    known_.insert(key);
    const toml::node* node = table_.get(key);
    if (node == nullptr) return;
    value = convert<T>(*node, path(key));
    if (auto complaint = check(value)) fail(*node, path(key), *complaint);
  }

  template <class S>
  void section(const char* key, S& sub) {
    known_.insert(key);
    if (const toml::table* table = sub_table(key)) read_table(*table, path(key), sub);
  }

  void optional_source(const char* key, std::optional<SourceConfig>& source) {
    known_.insert(key);
    if (const toml::table* table = sub_table(key)) source = read_source(*table, path(key));
  }

  void source_map(const char* key, std::map<std::string, SourceConfig>& sources) {
    known_.insert(key);
    const toml::table* table = sub_table(key);
    if (table == nullptr) return;
    for (auto&& [name, node] : *table) {
      const std::string name_path = path(key) + "." + std::string(name.str());
      const toml::table* source = node.as_table();
      if (source == nullptr) fail(node, name_path, "must be a table ([" + name_path + "])");
      sources[std::string(name.str())] = read_source(*source, name_path);
    }
  }

  // Every key of the table must be one the schema listed.
  void reject_unknown_keys() const {
    for (auto&& [key, node] : table_) {
      const std::string name(key.str());
      if (known_.count(name)) continue;
      std::string hint;
      for (const auto& candidate : known_) {
        if (edit_distance(name, candidate) <= 2) hint = " (did you mean " + path(candidate) + "?)";
      }
      fail(node, path(name), "is not a known key" + hint);
    }
  }

 private:
  template <class S>
  void read_table(const toml::table& table, const std::string& table_path, S& target) const {
    ReadVisitor inner(table, table_path, file_);
    visit_fields(target, inner);
    inner.reject_unknown_keys();
  }

  SourceConfig read_source(const toml::table& table, const std::string& table_path) const {
    SourceConfig source;
    read_table(table, table_path, source);
    for (const char* required : {"format", "path"}) {
      if (!table.contains(required)) {
        fail(table, table_path + "." + required, "is required in [" + table_path + "]");
      }
    }
    return source;
  }

  const toml::table* sub_table(const char* key) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return nullptr;
    if (!node->is_table()) fail(*node, path(key), "must be a table ([" + path(key) + "])");
    return node->as_table();
  }

  std::string path(const std::string& key) const { return prefix_.empty() ? key : prefix_ + "." + key; }

  [[noreturn]] void fail(const toml::node& node, const std::string& key_path,
                         const std::string& message) const {
    throw error_at(node, file_, key_path, message);
  }

  [[noreturn]] void wrong_type(const toml::node& node, const std::string& key_path,
                               const char* expected) const {
    fail(node, key_path, std::string("must be ") + expected + " (got " + type_name(node.type()) + ")");
  }

  template <class T>
  T convert(const toml::node& node, const std::string& key_path) const {
    if constexpr (std::is_same_v<T, bool>) {
      if (!node.is_boolean()) wrong_type(node, key_path, "true or false");
      return node.as_boolean()->get();
    } else if constexpr (std::is_integral_v<T>) {
      if (!node.is_integer()) wrong_type(node, key_path, "an integer");
      const std::int64_t v = node.as_integer()->get();
      const bool fits = std::is_unsigned_v<T>
                            ? v >= 0
                            : v >= static_cast<std::int64_t>(std::numeric_limits<T>::min()) &&
                                  v <= static_cast<std::int64_t>(std::numeric_limits<T>::max());
      if (!fits) fail(node, key_path, "is out of range for its type (got " + std::to_string(v) + ")");
      return static_cast<T>(v);
    } else if constexpr (std::is_floating_point_v<T>) {
      if (node.is_integer()) return static_cast<T>(node.as_integer()->get());  // "lr = 1" is fine
      if (!node.is_floating_point()) wrong_type(node, key_path, "a number");
      return static_cast<T>(node.as_floating_point()->get());
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (!node.is_string()) wrong_type(node, key_path, "a string");
      return node.as_string()->get();
    } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
      if (!node.is_array()) wrong_type(node, key_path, "an array of strings");
      std::vector<std::string> out;
      for (const toml::node& item : *node.as_array()) {
        if (!item.is_string()) wrong_type(item, key_path, "an array of strings");
        out.push_back(item.as_string()->get());
      }
      return out;
    } else {
      static_assert(std::is_enum_v<T>, "unsupported config value type");
      if (!node.is_string()) wrong_type(node, key_path, ("one of " + enum_choices<T>()).c_str());
      const std::string& text = node.as_string()->get();
      if (auto value = enum_from_string<T>(text)) return *value;
      fail(node, key_path, "must be one of " + enum_choices<T>() + " (got \"" + text + "\")");
    }
  }

  const toml::table& table_;
  std::string prefix_;
  const std::string& file_;
  std::set<std::string> known_;
};

ConfigError syntax_error(const toml::parse_error& error, const std::string& file) {
  const auto& begin = error.source().begin;
  return ConfigError(file, static_cast<int>(begin.line), static_cast<int>(begin.column), "",
                     std::string(error.description()));
}

// A file with stages or a sweep describes many runs: only `hierad sweep` knows which one is meant.
void reject_sweep_sections(const toml::table& root, const std::string& file) {
  for (const char* key : {"stages", "sweep"}) {
    if (const toml::node* node = root.get(key)) {
      throw error_at(*node, file, key,
                     "describes several runs: run this file with `hierad sweep`, or give a run's resolved "
                     "config.toml (<output_dir>/<name>/<run id>/config.toml) to this command");
    }
  }
}

ExperimentConfig from_document(toml::table& root, const std::string& file) {
  reject_sweep_sections(root, file);
  expand_environment(root, file);
  return experiment_from_table(root, file);
}

}  // namespace

ExperimentConfig experiment_from_table(const toml::table& root, const std::string& file) {
  ExperimentConfig config;
  ReadVisitor visitor(root, "", file);
  visit_fields(config, visitor);
  visitor.reject_unknown_keys();
  return config;
}

ExperimentConfig parse_experiment(std::string_view text, const std::string& source_name) {
  toml::table root;
  try {
    root = toml::parse(text, std::string_view(source_name));
  } catch (const toml::parse_error& error) {
    throw syntax_error(error, source_name);
  }
  return from_document(root, source_name);
}

ExperimentConfig load_experiment(const std::filesystem::path& file) {
  toml::table root = read_document(file);
  ExperimentConfig config = from_document(root, file.string());
  config.source = file;
  return config;
}

}  // namespace hierad::config
