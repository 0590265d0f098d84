// The few string operations the config layer needs on key paths ("train.lr"), stage lists and
// sweep labels ("train.lr=0.001 train.seed=1").
#pragma once

#include <string>
#include <vector>

namespace hierad::config {

// "a.b.c" split at '.' gives {"a", "b", "c"}; empty pieces are kept ("a..b" -> {"a", "", "b"}).
inline std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> pieces;
  std::size_t at = 0;
  while (true) {
    const std::size_t next = text.find(separator, at);
    pieces.push_back(text.substr(at, next == std::string::npos ? std::string::npos : next - at));
    if (next == std::string::npos) return pieces;
    at = next + 1;
  }
}

inline std::string join(const std::vector<std::string>& pieces, const std::string& separator) {
  std::string out;
  for (std::size_t i = 0; i < pieces.size(); ++i) out += (i == 0 ? "" : separator) + pieces[i];
  return out;
}

}  // namespace hierad::config
