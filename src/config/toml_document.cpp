#include "src/config/toml_document.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>
#include <vector>

namespace hierad::config {
namespace {

toml::table parse_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(file.string(), 0, 0, "", "cannot open the file for reading");
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return toml::parse(text.str(), file.string());
  } catch (const toml::parse_error& error) {
    const auto& begin = error.source().begin;
    throw ConfigError(file.string(), static_cast<int>(begin.line), static_cast<int>(begin.column), "",
                      std::string(error.description()));
  }
}

// `chain` holds the files being read, outermost first, to detect cycles.
toml::table read_chain(const std::filesystem::path& file, std::vector<std::filesystem::path>& chain) {
  toml::table document = parse_file(file);
  const toml::node* inherit = document.get("inherit");
  if (inherit == nullptr) return document;
  if (!inherit->is_string()) throw error_at(*inherit, file.string(), "inherit", "must be a string (a file name)");

  const std::filesystem::path base_path = file.parent_path() / inherit->as_string()->get();
  std::error_code ignored;
  const auto canonical_base = std::filesystem::weakly_canonical(base_path, ignored);
  for (std::size_t i = 0; i < chain.size(); ++i) {
    if (chain[i] != canonical_base) continue;
    std::string cycle;
    for (std::size_t j = i; j < chain.size(); ++j) cycle += chain[j].string() + " -> ";
    throw error_at(*inherit, file.string(), "inherit", "forms a cycle: " + cycle + canonical_base.string());
  }
  if (!std::filesystem::is_regular_file(base_path)) {
    throw error_at(*inherit, file.string(), "inherit", "names " + base_path.string() + ", which is not a readable file");
  }
  chain.push_back(canonical_base);
  toml::table merged = read_chain(base_path, chain);
  chain.pop_back();
  document.erase("inherit");
  merge_over(merged, std::move(document));
  return merged;
}

std::string expand_string(const std::string& text, const toml::node& node, const std::string& fallback_file,
                          const std::string& key_path) {
  std::string out;
  std::size_t at = 0;
  while (true) {
    const std::size_t open = text.find("${", at);
    if (open == std::string::npos) break;
    const std::size_t close = text.find('}', open);
    if (close == std::string::npos) {
      throw error_at(node, fallback_file, key_path, "has \"${\" without a closing \"}\"");
    }
    out += text.substr(at, open - at);
    std::string name = text.substr(open + 2, close - open - 2);
    std::optional<std::string> fallback;
    if (const std::size_t dash = name.find(":-"); dash != std::string::npos) {
      fallback = name.substr(dash + 2);
      name.resize(dash);
    }
    const char* value = std::getenv(name.c_str());
    if (value != nullptr && *value != '\0') {
      out += value;
    } else if (fallback) {
      out += *fallback;
    } else {
      throw error_at(node, fallback_file, key_path,
                     "uses the environment variable " + name + ", which is not set (set it, or write ${" + name +
                         ":-default})");
    }
    at = close + 1;
  }
  return out + text.substr(at);
}

void expand_node(toml::node& node, const std::string& fallback_file, const std::string& key_path) {
  if (toml::table* table = node.as_table()) {
    for (auto&& [key, child] : *table) {
      expand_node(child, fallback_file, key_path.empty() ? std::string(key.str()) : key_path + "." + std::string(key.str()));
    }
  } else if (toml::array* array = node.as_array()) {
    for (toml::node& item : *array) expand_node(item, fallback_file, key_path);
  } else if (toml::value<std::string>* text = node.as_string()) {
    if (text->get().find("${") != std::string::npos) text->get() = expand_string(text->get(), node, fallback_file, key_path);
  }
}

}  // namespace

ConfigError error_at(const toml::node& node, const std::string& fallback_file, const std::string& key_path,
                     const std::string& message) {
  const toml::source_region& source = node.source();
  const std::string file = source.path ? *source.path : fallback_file;
  return ConfigError(file, static_cast<int>(source.begin.line), static_cast<int>(source.begin.column), key_path,
                     message);
}

toml::table read_document(const std::filesystem::path& file) {
  std::error_code ignored;
  std::vector<std::filesystem::path> chain{std::filesystem::weakly_canonical(file, ignored)};
  return read_chain(file, chain);
}

void merge_over(toml::table& base, toml::table&& over) {
  for (auto&& [key, node] : over) {
    toml::node* existing = base.get(key.str());
    if (existing != nullptr && existing->is_table() && node.is_table()) {
      merge_over(*existing->as_table(), std::move(*node.as_table()));
    } else {
      base.insert_or_assign(key, std::move(node));
    }
  }
}

void set_at_path(toml::table& root, const std::string& key_path, toml::node&& value, const std::string& fallback_file) {
  toml::table* table = &root;
  std::size_t at = 0;
  while (true) {
    const std::size_t dot = key_path.find('.', at);
    const std::string key = key_path.substr(at, dot == std::string::npos ? std::string::npos : dot - at);
    if (dot == std::string::npos) {
      table->insert_or_assign(key, std::move(value));
      return;
    }
    toml::node* next = table->get(key);
    if (next == nullptr) next = table->insert(key, toml::table{}).first->second.as_table();
    if (!next->is_table()) {
      throw ConfigError(fallback_file, 0, 0, key_path, "cannot be set: " + key_path.substr(0, dot) + " is not a table");
    }
    table = next->as_table();
    at = dot + 1;
  }
}

void expand_environment(toml::table& root, const std::string& fallback_file) {
  expand_node(root, fallback_file, "");
}

}  // namespace hierad::config
