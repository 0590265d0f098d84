#include "src/config/sweep_axes.hpp"

#include "src/config/key_paths.hpp"
#include "src/config/strings.hpp"
#include "src/config/toml_document.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

namespace hierad::config {
namespace {

// A sweep axis must set a key that exists, in the common part or in a declared stage.
void check_axis_path(const SweepContext& context, const std::string& path, const toml::node& node,
                     const std::string& shown) {
  std::string key = path;
  if (path.rfind("stages.", 0) == 0) {
    const std::size_t dot = path.find('.', 7);
    const std::string stage = path.substr(7, dot == std::string::npos ? std::string::npos : dot - 7);
    if (!context.has_stage(stage)) throw error_at(node, context.file, shown, "names " + context.undefined(stage));
    key = dot == std::string::npos ? "" : path.substr(dot + 1);
  }
  if (is_config_key(key)) return;
  std::string hint;
  if (auto close = closest_config_key(key)) hint = " (did you mean " + *close + "?)";
  throw error_at(node, context.file, shown, "names no configuration key: " + path + hint);
}

// Leaves of a table of axes: their key chain and node. A random axis is a table holding `uniform`
// or `log_uniform`, so descending stops there.
void flatten(const toml::table& table, std::vector<std::string>& keys, bool random,
             std::vector<std::pair<std::vector<std::string>, const toml::node*>>& out) {
  for (auto&& [key, node] : table) {
    keys.emplace_back(key.str());
    const toml::table* sub = node.as_table();
    if (sub != nullptr && !(random && (sub->contains("uniform") || sub->contains("log_uniform")))) {
      flatten(*sub, keys, random, out);
    } else {
      out.emplace_back(keys, &node);
    }
    keys.pop_back();
  }
}

RandomAxis read_random_axis(const SweepContext& context, const std::string& path, const toml::node& node,
                            const std::string& shown) {
  const toml::table* spec = node.as_table();
  const char* form = "must be { uniform = [low, high] } or { log_uniform = [low, high] }";
  if (spec == nullptr || spec->size() != 1) throw error_at(node, context.file, shown, form);
  RandomAxis axis;
  axis.path = path;
  axis.log = spec->contains("log_uniform");
  const toml::array* bounds = spec->get(axis.log ? "log_uniform" : "uniform")->as_array();
  if (bounds == nullptr || bounds->size() != 2) throw error_at(node, context.file, shown, form);
  axis.integer = (*bounds)[0].is_integer() && (*bounds)[1].is_integer();
  for (std::size_t i = 0; i < 2; ++i) {
    const toml::node& bound = (*bounds)[i];
    if (!bound.is_number()) throw error_at(bound, context.file, shown, "bounds must be numbers");
    (i == 0 ? axis.low : axis.high) = bound.value<double>().value();
  }
  if (!(axis.low <= axis.high)) throw error_at(node, context.file, shown, "needs low <= high");
  if (axis.log && !(axis.low > 0)) throw error_at(node, context.file, shown, "log_uniform needs low > 0");
  return axis;
}

std::string value_text(const toml::node& node) {
  if (const auto* text = node.as_string()) return text->get();
  if (const auto* integer = node.as_integer()) return std::to_string(integer->get());
  if (const auto* boolean = node.as_boolean()) return boolean->get() ? "true" : "false";
  if (const auto* number = node.as_floating_point()) {
    char out[32];
    std::snprintf(out, sizeof out, "%g", number->get());
    return out;
  }
  return "?";
}

// The array of values of a grid axis in a document read from the sweep's file (const or not).
template <class Table>
auto& grid_values(Table& root, const GridAxis& axis) {
  auto* node = root.get("sweep")->as_table()->get("grid");
  for (const auto& key : axis.keys) node = node->as_table()->get(key);
  return *node->as_array();
}

}  // namespace

bool SweepContext::has_stage(const std::string& name) const {
  return has_stages && std::find(stages.begin(), stages.end(), name) != stages.end();
}

std::string SweepContext::undefined(const std::string& stage) const {
  return "stage \"" + stage + "\", which [stages] does not define (stages: " +
         (has_stages ? join(stages, ", ") : std::string("none")) + ")";
}

const toml::table* table_at(const toml::table& root, const std::string& key, const SweepContext& context,
                            const std::string& shown) {
  const toml::node* node = root.get(key);
  if (node == nullptr) return nullptr;
  if (!node->is_table()) throw error_at(*node, context.file, shown, "must be a table ([" + shown + "])");
  return node->as_table();
}

SweepSpec read_sweep(const toml::table& root, const SweepContext& context) {
  SweepSpec spec;
  const toml::table* sweep = table_at(root, "sweep", context, "sweep");
  if (sweep == nullptr) return spec;
  for (auto&& [key, node] : *sweep) {
    const std::string name(key.str());
    const std::string shown = "sweep." + name;
    if (name == "seed" || name == "samples") {
      const auto value = node.value<std::int64_t>();
      if (!node.is_integer() || *value < (name == "seed" ? 0 : 1)) {
        throw error_at(node, context.file, shown, name == "seed" ? "must be an integer >= 0" : "must be an integer >= 1");
      }
      if (name == "seed") spec.seed = static_cast<std::uint64_t>(*value);
      else spec.samples = *value;
    } else if (name != "grid" && name != "random") {
      throw error_at(node, context.file, shown, "is not a known key ([sweep] has seed, samples, grid, random)");
    }
  }
  std::vector<std::string> keys;
  if (const toml::table* grid = table_at(*sweep, "grid", context, "sweep.grid")) {
    std::vector<std::pair<std::vector<std::string>, const toml::node*>> leaves;
    flatten(*grid, keys, false, leaves);
    for (const auto& [chain, node] : leaves) {
      const std::string path = join(chain, ".");
      const std::string shown = "sweep.grid.\"" + path + "\"";
      check_axis_path(context, path, *node, shown);
      const toml::array* values = node->as_array();
      if (values == nullptr || values->empty()) {
        throw error_at(*node, context.file, shown, "must be a non-empty array of the values to try");
      }
      spec.grid.push_back({path, chain, values->size()});
    }
  }
  if (const toml::table* random = table_at(*sweep, "random", context, "sweep.random")) {
    std::vector<std::pair<std::vector<std::string>, const toml::node*>> leaves;
    flatten(*random, keys, true, leaves);
    for (const auto& [chain, node] : leaves) {
      const std::string path = join(chain, ".");
      const std::string shown = "sweep.random.\"" + path + "\"";
      check_axis_path(context, path, *node, shown);
      spec.random.push_back(read_random_axis(context, path, *node, shown));
    }
  }
  return spec;
}

std::vector<Point> expand_points(const SweepSpec& spec) {
  std::mt19937_64 rng(spec.seed);
  std::vector<std::vector<Draw>> samples(static_cast<std::size_t>(spec.samples));
  for (auto& draws : samples) {
    for (const RandomAxis& axis : spec.random) {
      const double u = static_cast<double>(rng() >> 11) * 0x1p-53;  // [0, 1), same on every platform
      if (axis.integer) {
        const double lo = axis.log ? std::log(axis.low) : axis.low;
        const double hi = axis.log ? std::log(axis.high + 1) : axis.high + 1;
        const double x = lo + u * (hi - lo);
        draws.push_back(static_cast<std::int64_t>(std::floor(axis.log ? std::exp(x) : x)));
      } else {
        draws.push_back(axis.log ? std::exp(std::log(axis.low) + u * (std::log(axis.high) - std::log(axis.low)))
                                 : axis.low + u * (axis.high - axis.low));
      }
    }
  }
  std::size_t combinations = 1;
  for (const GridAxis& axis : spec.grid) combinations *= axis.size;
  std::vector<Point> points;
  for (std::size_t c = 0; c < combinations; ++c) {
    std::vector<std::size_t> index(spec.grid.size());
    std::size_t rest = c;
    for (std::size_t a = spec.grid.size(); a-- > 0;) {
      index[a] = rest % spec.grid[a].size;
      rest /= spec.grid[a].size;
    }
    for (const auto& draws : samples) points.push_back({index, draws});
  }
  return points;
}

std::string draw_text(const Draw& draw) {
  if (const auto* integer = std::get_if<std::int64_t>(&draw)) return std::to_string(*integer);
  char out[32];
  std::snprintf(out, sizeof out, "%.4g", std::get<double>(draw));
  return out;
}

std::string grid_value_text(const toml::table& root, const GridAxis& axis, std::size_t index) {
  return value_text(grid_values(root, axis)[index]);
}

void apply_point(toml::table& doc, const SweepSpec& spec, const Point& point, const std::string& file) {
  for (std::size_t a = 0; a < spec.grid.size(); ++a) {
    set_at_path(doc, spec.grid[a].path, std::move(grid_values(doc, spec.grid[a])[point.grid_index[a]]), file);
  }
  for (std::size_t a = 0; a < spec.random.size(); ++a) {
    const Draw& draw = point.draws[a];
    if (const auto* integer = std::get_if<std::int64_t>(&draw)) {
      set_at_path(doc, spec.random[a].path, toml::value<std::int64_t>(*integer), file);
    } else {
      set_at_path(doc, spec.random[a].path, toml::value<double>(std::get<double>(draw)), file);
    }
  }
}

}  // namespace hierad::config
