#pragma once
// Small flat status files of a run directory (status.toml, progress.toml): one `key = value` line
// each, a TOML subset that tomllib, toml++ and a human all read. Written whole and renamed into
// place, so a reader (`hierad status`) or a killed writer never leaves half a file. Not fsynced:
// progress.toml is rewritten during training, and both files only save work (after a power loss a
// sweep may redo a step, which resumes from its checkpoint), so they are not worth a disk flush.

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace hierad::storage {

// Values are kept as text; numbers are written bare, strings quoted.
class KeyValues {
 public:
  void set(const std::string& key, const std::string& text) { strings_[key] = text; numbers_.erase(key); }
  void set(const std::string& key, double number);
  void erase(const std::string& key) { strings_.erase(key); numbers_.erase(key); }
  std::optional<std::string> text(const std::string& key) const;
  std::optional<double> number(const std::string& key) const;
  const std::map<std::string, std::string>& strings() const { return strings_; }
  const std::map<std::string, std::string>& numbers() const { return numbers_; }

 private:
  friend std::optional<KeyValues> read_key_values_if_present(const std::filesystem::path& path);
  std::map<std::string, std::string> strings_;
  std::map<std::string, std::string> numbers_;  // as written: %.17g
};

// Writes `values` to `path` through a temporary sibling and an atomic rename. Throws
// std::system_error / std::runtime_error naming the path.
void write_key_values(const std::filesystem::path& path, const KeyValues& values, const std::string& header);

// Reads a file written by write_key_values. A missing file gives nullopt; a malformed line throws
// std::runtime_error naming path:line.
std::optional<KeyValues> read_key_values_if_present(const std::filesystem::path& path);

}  // namespace hierad::storage
