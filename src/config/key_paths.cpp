#include "src/config/key_paths.hpp"

#include "src/config/config_schema.hpp"
#include "src/config/edit_distance.hpp"
#include "src/config/strings.hpp"

namespace hierad::config {
namespace {

class PathVisitor {
 public:
  PathVisitor(std::vector<std::string>& out, std::string prefix) : out_(out), prefix_(std::move(prefix)) {}

  template <class T>
  void field(const char* key, T&, const Check<T>&, const char*) {
    out_.push_back(prefix_ + key);
  }
  template <class S>
  void section(const char* key, S& sub) {
    PathVisitor inner(out_, prefix_ + key + ".");
    visit_fields(sub, inner);
  }
  void optional_source(const char* key, std::optional<SourceConfig>&) { source(prefix_ + key + "."); }
  void source_map(const char* key, std::map<std::string, SourceConfig>&) { source(prefix_ + key + ".*."); }

 private:
  void source(const std::string& prefix) {
    SourceConfig unused;
    PathVisitor inner(out_, prefix);
    visit_fields(unused, inner);
  }
  std::vector<std::string>& out_;
  std::string prefix_;
};

bool matches(const std::string& pattern, const std::string& path) {
  const auto want = split(pattern, '.');
  const auto have = split(path, '.');
  if (want.size() != have.size()) return false;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (want[i] != "*" && want[i] != have[i]) return false;
    if (have[i].empty()) return false;
  }
  return true;
}

}  // namespace

const std::vector<std::string>& config_key_paths() {
  static const std::vector<std::string> paths = [] {
    std::vector<std::string> out;
    ExperimentConfig unused;
    PathVisitor visitor(out, "");
    visit_fields(unused, visitor);
    return out;
  }();
  return paths;
}

bool is_config_key(const std::string& key_path) {
  for (const auto& pattern : config_key_paths()) {
    if (matches(pattern, key_path)) return true;
  }
  return false;
}

std::optional<std::string> closest_config_key(const std::string& key_path) {
  std::optional<std::string> best;
  std::size_t best_distance = 4;  // beyond 3 edits it is not a typo
  for (const auto& pattern : config_key_paths()) {
    const std::size_t d = edit_distance(pattern, key_path);
    if (d < best_distance) {
      best_distance = d;
      best = pattern;
    }
  }
  return best;
}

}  // namespace hierad::config
