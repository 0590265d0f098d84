// The one error type of the config layer: where (file:line:column), which key, and what is wrong.
#pragma once

#include <stdexcept>
#include <string>

namespace hierad::config {

class ConfigError : public std::runtime_error {
 public:
  // what() reads "file:line:column: key.path message" (line/column omitted when unknown, key path
  // omitted when the error is not about one key, e.g. a TOML syntax error).
  ConfigError(std::string file, int line, int column, std::string key_path, std::string message);

  const std::string& file() const { return file_; }
  int line() const { return line_; }
  int column() const { return column_; }
  const std::string& key_path() const { return key_path_; }
  const std::string& message() const { return message_; }

 private:
  std::string file_;
  int line_;
  int column_;
  std::string key_path_;
  std::string message_;
};

}  // namespace hierad::config
