// The [sweep] section of an experiment file: grid axes and seeded random axes, checked against
// the configuration's keys, expanded into points, and a point's values set into a document.
//
// Internal to the config layer (sweep_plan.cpp), like toml_document.hpp.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace hierad::config {

// What the axes may name: the file (for errors) and its stages.
struct SweepContext {
  std::string file;
  std::vector<std::string> stages;       // declared stage names; {"main"} without [stages]
  bool has_stages = false;

  bool has_stage(const std::string& name) const;  // declared in [stages]
  // 'stage "x", which [stages] does not define (stages: a, b)': the end of every such error.
  std::string undefined(const std::string& stage) const;
};

struct GridAxis {
  std::string path;                 // the config key path it sets
  std::vector<std::string> keys;    // where its array sits under [sweep.grid]
  std::size_t size = 0;
};

struct RandomAxis {
  std::string path;
  bool log = false;
  bool integer = false;             // integer bounds draw integers
  double low = 0, high = 0;
};

struct SweepSpec {
  std::vector<GridAxis> grid;
  std::vector<RandomAxis> random;
  std::uint64_t seed = 0;
  std::int64_t samples = 1;
};

using Draw = std::variant<std::int64_t, double>;

struct Point {
  std::vector<std::size_t> grid_index;  // per grid axis
  std::vector<Draw> draws;               // per random axis
};

// [sweep] of `root` (none: one point). Throws ConfigError naming file, line and key for an axis
// that names no configuration key or no stage, a malformed axis and an unknown key.
SweepSpec read_sweep(const toml::table& root, const SweepContext& context);

// Grid combinations (the last axis fastest), each crossed with `samples` random draws. Draw s is
// the same for every grid combination, so seeds of a grid axis replicate the same hyperparameters.
std::vector<Point> expand_points(const SweepSpec& spec);

// Sets the point's values into `doc` (a freshly read document: grid values are moved out of its
// own [sweep.grid], keeping their file and line for later errors).
void apply_point(toml::table& doc, const SweepSpec& spec, const Point& point, const std::string& file);

// "path=value ..." for the axes whose path `applies` accepts, grid values as written in `root`.
template <class Applies>
std::string point_label(const toml::table& root, const SweepSpec& spec, const Point& point, Applies applies);

// [key] of `root` as a table, nullptr if absent; ConfigError if it is something else.
const toml::table* table_at(const toml::table& root, const std::string& key, const SweepContext& context,
                            const std::string& shown);

std::string grid_value_text(const toml::table& root, const GridAxis& axis, std::size_t index);
std::string draw_text(const Draw& draw);

template <class Applies>
std::string point_label(const toml::table& root, const SweepSpec& spec, const Point& point, Applies applies) {
  std::string label;
  for (std::size_t a = 0; a < spec.grid.size(); ++a) {
    if (!applies(spec.grid[a].path)) continue;
    label += (label.empty() ? "" : " ") + spec.grid[a].path + "=" + grid_value_text(root, spec.grid[a], point.grid_index[a]);
  }
  for (std::size_t a = 0; a < spec.random.size(); ++a) {
    if (!applies(spec.random[a].path)) continue;
    label += (label.empty() ? "" : " ") + spec.random[a].path + "=" + draw_text(point.draws[a]);
  }
  return label;
}

}  // namespace hierad::config
