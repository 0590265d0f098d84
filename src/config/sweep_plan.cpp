#include "src/config/sweep_plan.hpp"

#include "src/config/key_paths.hpp"
#include "src/config/toml_document.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <random>
#include <set>
#include <utility>
#include <variant>

namespace hierad::config {
namespace {

// ---- [sweep] -----------------------------------------------------------------------------------

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

struct Context {
  std::string file;
  std::vector<std::string> stages;       // declared stage names; {"main"} without [stages]
  bool has_stages = false;
};

std::string quoted_path(const std::string& table, const std::vector<std::string>& keys) {
  std::string joined;
  for (const auto& key : keys) joined += (joined.empty() ? "" : ".") + key;
  return table + ".\"" + joined + "\"";
}

std::string join_keys(const std::vector<std::string>& keys) {
  std::string joined;
  for (const auto& key : keys) joined += (joined.empty() ? "" : ".") + key;
  return joined;
}

std::string list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

// A sweep axis must set a key that exists, in the common part or in a declared stage.
void check_axis_path(const Context& context, const std::string& path, const toml::node& node,
                     const std::string& shown) {
  std::string key = path;
  if (path.rfind("stages.", 0) == 0) {
    const std::size_t dot = path.find('.', 7);
    const std::string stage = path.substr(7, dot == std::string::npos ? std::string::npos : dot - 7);
    if (std::find(context.stages.begin(), context.stages.end(), stage) == context.stages.end() ||
        !context.has_stages) {
      throw error_at(node, context.file, shown,
                     "names stage \"" + stage + "\", which [stages] does not define (stages: " +
                         (context.has_stages ? list(context.stages) : std::string("none")) + ")");
    }
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

const toml::table* table_at(const toml::table& root, const std::string& key, const Context& context,
                            const std::string& shown) {
  const toml::node* node = root.get(key);
  if (node == nullptr) return nullptr;
  if (!node->is_table()) throw error_at(*node, context.file, shown, "must be a table ([" + shown + "])");
  return node->as_table();
}

RandomAxis read_random_axis(const Context& context, const std::string& path, const toml::node& node,
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

SweepSpec read_sweep(const toml::table& root, const Context& context) {
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
      const std::string shown = quoted_path("sweep.grid", chain);
      const std::string path = join_keys(chain);
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
      const std::string shown = quoted_path("sweep.random", chain);
      const std::string path = join_keys(chain);
      check_axis_path(context, path, *node, shown);
      spec.random.push_back(read_random_axis(context, path, *node, shown));
    }
  }
  return spec;
}

// Grid combinations (the last axis fastest), each crossed with `samples` random draws. Draw s is
// the same for every grid combination, so seeds of a grid axis replicate the same hyperparameters.
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

std::string draw_text(const Draw& draw) {
  if (const auto* integer = std::get_if<std::int64_t>(&draw)) return std::to_string(*integer);
  char out[32];
  std::snprintf(out, sizeof out, "%.4g", std::get<double>(draw));
  return out;
}

// ---- [stages] ----------------------------------------------------------------------------------

struct StageSpec {
  std::vector<Step> steps;
  std::vector<std::string> needs;
};

std::vector<Step> read_steps(const toml::node& node, const Context& context, const std::string& shown) {
  const toml::array* items = node.as_array();
  if (items == nullptr || items->empty()) {
    throw error_at(node, context.file, shown, "must be a non-empty array of steps (\"train\", \"score\", \"analyze\")");
  }
  std::set<Step> steps;
  for (const toml::node& item : *items) {
    const auto step = item.is_string() ? step_from_name(item.as_string()->get()) : std::nullopt;
    if (!step) throw error_at(item, context.file, shown, "steps are \"train\", \"score\" and \"analyze\"");
    steps.insert(*step);
  }
  return {steps.begin(), steps.end()};  // the running order, whatever order they were written in
}

std::map<std::string, StageSpec> read_stages(const toml::table& root, const Context& context) {
  std::map<std::string, StageSpec> stages;
  const toml::table* table = table_at(root, "stages", context, "stages");
  if (table == nullptr) {
    stages["main"].steps = {Step::train, Step::score, Step::analyze};
    return stages;
  }
  for (auto&& [key, node] : *table) {
    const std::string name(key.str());
    const std::string shown = "stages." + name;
    const toml::table* stage = table_at(*table, name, context, shown);
    StageSpec& spec = stages[name];
    spec.steps = {Step::train, Step::score, Step::analyze};
    if (const toml::node* steps = stage->get("do")) spec.steps = read_steps(*steps, context, shown + ".do");
    if (const toml::node* needs = stage->get("needs")) {
      const toml::array* items = needs->as_array();
      if (items == nullptr) throw error_at(*needs, context.file, shown + ".needs", "must be an array of stage names");
      for (const toml::node& item : *items) {
        const std::string other = item.value<std::string>().value_or("");
        if (!table->contains(other) || other == name) {
          throw error_at(item, context.file, shown + ".needs",
                         "names stage \"" + other + "\", which " +
                             (other == name ? std::string("is this stage itself") : "[stages] does not define (stages: " + list(context.stages) + ")"));
        }
        spec.needs.push_back(other);
      }
    }
  }
  return stages;
}

// The document of one stage at one sweep point: the file re-read (values moved out of a parsed
// document keep their file and line for later errors), the point's axis values set, the stage's
// own sections merged over the common ones, ${VAR} expanded.
toml::table stage_document(const std::filesystem::path& file, const Context& context, const SweepSpec& spec,
                           const Point& point, const std::string& stage) {
  toml::table doc = read_document(file);
  for (std::size_t a = 0; a < spec.grid.size(); ++a) {
    toml::node* node = doc.get("sweep")->as_table()->get("grid");
    for (const auto& key : spec.grid[a].keys) node = node->as_table()->get(key);
    set_at_path(doc, spec.grid[a].path, std::move((*node->as_array())[point.grid_index[a]]), context.file);
  }
  for (std::size_t a = 0; a < spec.random.size(); ++a) {
    const Draw& draw = point.draws[a];
    if (const auto* integer = std::get_if<std::int64_t>(&draw)) {
      set_at_path(doc, spec.random[a].path, toml::value<std::int64_t>(*integer), context.file);
    } else {
      set_at_path(doc, spec.random[a].path, toml::value<double>(std::get<double>(draw)), context.file);
    }
  }
  doc.erase("sweep");
  if (context.has_stages) {
    toml::table stages = std::move(*doc.get("stages")->as_table());
    doc.erase("stages");
    toml::table own = std::move(*stages.get(stage)->as_table());
    own.erase("do");
    own.erase("needs");
    merge_over(doc, std::move(own));
  }
  expand_environment(doc, context.file);
  return doc;
}

// The string fields that may hold "stage:<name>", by the step that reads them. `score_file`: the
// reference means the stage's score file (else its checkpoint, i.e. its run directory).
void for_each_reference_field(ExperimentConfig& config,
                              const std::function<void(Step, const std::string&, std::string&, bool)>& visit) {
  visit(Step::train, "train.init_from", config.train.init_from, false);
  visit(Step::train, "train.outlier.general_checkpoint", config.train.outlier.general_checkpoint, false);
  visit(Step::score, "score.checkpoint", config.score.checkpoint, false);
  visit(Step::analyze, "analysis.general_scores", config.analysis.general_scores, true);
  for (std::size_t i = 0; i < config.analysis.runs.size(); ++i) {
    visit(Step::analyze, "analysis.runs[" + std::to_string(i) + "]", config.analysis.runs[i], true);
  }
}

constexpr const char* kReferencePrefix = "stage:";
// In analysis.runs only: the score files of every run of a stage, over all sweep points.
constexpr const char* kAllRunsPrefix = "all:";

bool starts_with(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }
std::string after_prefix(const std::string& text, const char* prefix) {
  return text.substr(std::char_traits<char>::length(prefix));
}

struct BuiltStage {
  ExperimentConfig config;
  std::vector<std::string> depends;     // needs + references, unique
  std::vector<std::string> aggregates;  // stages named by "all:<stage>" (this is then an aggregate stage)
};

BuiltStage build_stage(const std::filesystem::path& file, const Context& context, const SweepSpec& spec,
                       const Point& point, const std::string& stage, const StageSpec& stage_spec) {
  const toml::table doc = stage_document(file, context, spec, point, stage);
  BuiltStage built{experiment_from_table(doc, context.file), stage_spec.needs, {}};
  const auto uses = [&](Step step) {
    return std::find(stage_spec.steps.begin(), stage_spec.steps.end(), step) != stage_spec.steps.end();
  };
  const auto fail = [&](const std::string& field, const std::string& why) {
    const toml::node_view<const toml::node> node = doc.at_path(field);
    const std::string where = "stages." + stage + ": " + field;
    if (node) throw error_at(*node.node(), context.file, where, why);
    throw ConfigError(context.file, 0, 0, where, why);
  };
  for_each_reference_field(built.config, [&](Step step, const std::string& field, std::string& value, bool) {
    const bool all_runs = starts_with(value, kAllRunsPrefix);
    if (!starts_with(value, kReferencePrefix) && !all_runs) return;
    if (!uses(step)) {
      value.clear();  // read by a step this stage does not run: no dependency, no effect on the id
      return;
    }
    if (all_runs && field.rfind("analysis.runs[", 0) != 0) fail(field, "may use \"all:<stage>\" only in analysis.runs");
    const std::string other = after_prefix(value, all_runs ? kAllRunsPrefix : kReferencePrefix);
    const bool exists = context.has_stages && std::find(context.stages.begin(), context.stages.end(), other) != context.stages.end();
    if (!exists || other == stage) {
      fail(field, other == stage ? "refers to the stage itself (\"" + value + "\")"
                                 : "refers to stage \"" + other + "\", which [stages] does not define (stages: " +
                                       (context.has_stages ? list(context.stages) : std::string("none")) + ")");
    }
    auto& into = all_runs ? built.aggregates : built.depends;
    if (std::find(into.begin(), into.end(), other) == into.end()) into.push_back(other);
  });
  if (!built.aggregates.empty() && stage_spec.steps != std::vector<Step>{Step::analyze}) {
    fail("analysis.runs", "uses \"all:<stage>\": such a stage aggregates the runs of every sweep point, "
                          "and may only analyse (do = [\"analyze\"])");
  }
  return built;
}

// Stages in dependency order (depth-first); a cycle is an error naming it.
std::vector<std::string> stage_order(const std::map<std::string, BuiltStage>& built, const Context& context,
                                     const std::set<std::string>& skip) {
  std::vector<std::string> order;
  std::map<std::string, int> mark;  // 1: on the current path, 2: placed
  std::vector<std::string> path;
  std::function<void(const std::string&)> visit = [&](const std::string& name) {
    if (mark[name] == 2) return;
    if (mark[name] == 1) {
      std::string cycle;
      for (auto it = std::find(path.begin(), path.end(), name); it != path.end(); ++it) cycle += *it + " -> ";
      throw ConfigError(context.file, 0, 0, "stages", "form a cycle: " + cycle + name);
    }
    mark[name] = 1;
    path.push_back(name);
    for (const auto& other : built.at(name).depends) visit(other);
    path.pop_back();
    mark[name] = 2;
    order.push_back(name);
  };
  for (const auto& name : context.stages) {
    if (!skip.count(name)) visit(name);
  }
  return order;
}

std::string step_fingerprint(const PlannedRun& run, Step step, const std::vector<PlannedRun>& runs,
                             const std::vector<std::size_t>& score_inputs, std::size_t checkpoint_input) {
  std::string text = step_config_text(run.config, step);
  const auto own = [&](Step s) { return run.fingerprints.count(s) ? run.fingerprints.at(s) : std::string(); };
  if (step == Step::score) {
    text += "\nafter train " + own(Step::train);
    if (checkpoint_input != SIZE_MAX) text += "\nscoring " + runs[checkpoint_input].fingerprints.at(Step::train);
  } else if (step == Step::analyze) {
    text += "\nafter score " + own(Step::score);
    for (std::size_t input : score_inputs) {
      const auto& fp = runs[input].fingerprints;
      text += "\nwith scores " + (fp.count(Step::score) ? fp.at(Step::score) : std::string());
    }
  }
  return short_hash(text);
}

std::string intersect_labels(const std::string& a, const std::string& b) {
  // Labels are space-separated key=value items; keep those both share.
  std::set<std::string> theirs;
  std::size_t at = 0;
  while (at < b.size()) {
    std::size_t space = b.find(' ', at);
    if (space == std::string::npos) space = b.size();
    theirs.insert(b.substr(at, space - at));
    at = space + 1;
  }
  std::string out;
  at = 0;
  while (at < a.size()) {
    std::size_t space = a.find(' ', at);
    if (space == std::string::npos) space = a.size();
    const std::string item = a.substr(at, space - at);
    if (theirs.count(item)) out += (out.empty() ? "" : " ") + item;
    at = space + 1;
  }
  return out;
}

}  // namespace

int SweepPlan::levels() const {
  int deepest = -1;
  for (const auto& run : runs) deepest = std::max(deepest, run.level);
  return deepest + 1;
}

std::vector<std::size_t> SweepPlan::runs_of_level(int level) const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (runs[i].level == level) out.push_back(i);
  }
  return out;
}

SweepPlan plan_sweep(const std::filesystem::path& file) {
  Context context;
  context.file = file.string();
  const toml::table root = read_document(file);
  if (const toml::table* stages = table_at(root, "stages", context, "stages")) {
    context.has_stages = true;
    for (auto&& [key, node] : *stages) context.stages.emplace_back(key.str());
    if (context.stages.empty()) throw error_at(*stages, context.file, "stages", "defines no stage");
  } else {
    context.stages = {"main"};
  }
  const std::map<std::string, StageSpec> stages = read_stages(root, context);
  const SweepSpec spec = read_sweep(root, context);
  const std::vector<Point> points = expand_points(spec);

  SweepPlan plan;
  plan.file = file;
  plan.points = points.size();
  std::map<std::string, std::size_t> by_dir;

  // A run of `name` from its built config: "stage:" references resolved through `run_of` (the
  // runs of the same point), "all:" references (aggregate stages) through every planned run.
  const auto make_run = [&](const std::string& name, const BuiltStage& built,
                            const std::map<std::string, std::size_t>& run_of) {
    PlannedRun run;
    run.stage = name;
    run.steps = stages.at(name).steps;
    run.config = built.config;
    std::vector<std::size_t> score_inputs;
    std::size_t checkpoint_input = SIZE_MAX;
    for_each_reference_field(run.config, [&](Step step, const std::string&, std::string& value, bool score_file) {
      if (!starts_with(value, kReferencePrefix)) return;
      const std::size_t input = run_of.at(after_prefix(value, kReferencePrefix));
      const PlannedRun& other = plan.runs[input];
      value = score_file ? (other.dir / other.config.score.output).string() : other.dir.string();
      if (score_file) score_inputs.push_back(input);
      if (step == Step::score) checkpoint_input = input;
    });
    for (const auto& other : built.depends) run.needs.push_back(run_of.at(other));
    std::vector<std::string> runs;
    for (const std::string& entry : run.config.analysis.runs) {
      if (!starts_with(entry, kAllRunsPrefix)) {
        runs.push_back(entry);
        continue;
      }
      for (std::size_t i = 0; i < plan.runs.size(); ++i) {
        if (plan.runs[i].stage != after_prefix(entry, kAllRunsPrefix)) continue;
        runs.push_back((plan.runs[i].dir / plan.runs[i].config.score.output).string());
        score_inputs.push_back(i);
        run.needs.push_back(i);
      }
    }
    run.config.analysis.runs = runs;
    std::sort(run.needs.begin(), run.needs.end());
    run.needs.erase(std::unique(run.needs.begin(), run.needs.end()), run.needs.end());
    run.id = run_id(run.config, run.steps.front());
    run.dir = std::filesystem::path(run.config.output_dir) / run.config.name / run.id;
    for (Step step : run.steps) run.fingerprints[step] = step_fingerprint(run, step, plan.runs, score_inputs, checkpoint_input);
    return run;
  };

  std::set<std::string> aggregate;                       // stages with "all:" references
  std::map<std::string, BuiltStage> first_point;         // their configs, from the first point
  std::map<std::string, std::size_t> first_point_runs;   // the first point's stage -> run
  for (std::size_t p = 0; p < points.size(); ++p) {
    const Point& point = points[p];
    std::map<std::string, BuiltStage> built;
    for (const auto& name : context.stages) {
      built.emplace(name, build_stage(file, context, spec, point, name, stages.at(name)));
      if (p == 0 && !built.at(name).aggregates.empty()) aggregate.insert(name);
    }
    for (const auto& [name, stage] : built) {
      for (const auto& other : stage.depends) {
        if (aggregate.count(other)) {
          throw ConfigError(context.file, 0, 0, "stages." + name,
                            "depends on stage \"" + other + "\", which aggregates every sweep point and so comes last");
        }
      }
    }
    std::map<std::string, std::size_t> run_of;  // this point's stage -> index in plan.runs
    for (const auto& name : stage_order(built, context, aggregate)) {
      PlannedRun run = make_run(name, built.at(name), run_of);
      {  // the label: the sweep values that apply to this stage, as written in the file
        std::string label;
        const auto applies = [&](const std::string& path) {
          return path.rfind("stages.", 0) != 0 || path.rfind("stages." + name + ".", 0) == 0;
        };
        const toml::table* grid = root.get("sweep") ? root.get("sweep")->as_table()->get_as<toml::table>("grid") : nullptr;
        for (std::size_t a = 0; a < spec.grid.size(); ++a) {
          if (!applies(spec.grid[a].path)) continue;
          const toml::node* node = grid;
          for (const auto& key : spec.grid[a].keys) node = node->as_table()->get(key);
          label += (label.empty() ? "" : " ") + spec.grid[a].path + "=" + value_text((*node->as_array())[point.grid_index[a]]);
        }
        for (std::size_t a = 0; a < spec.random.size(); ++a) {
          if (!applies(spec.random[a].path)) continue;
          label += (label.empty() ? "" : " ") + spec.random[a].path + "=" + draw_text(point.draws[a]);
        }
        run.label = label;
      }
      const auto known = by_dir.find(run.dir.string());
      if (known != by_dir.end()) {
        PlannedRun& same = plan.runs[known->second];
        if (same.steps != run.steps || same.fingerprints != run.fingerprints) {
          throw ConfigError(context.file, 0, 0, "stages",
                            "stages \"" + same.stage + "\" and \"" + name + "\" train the same run " + run.id +
                                " but score or analyse it differently; give them different settings or one stage");
        }
        same.label = intersect_labels(same.label, run.label);
        // Shared by several points: it waits for what each of them needs first.
        for (std::size_t need : run.needs) {
          if (std::find(same.needs.begin(), same.needs.end(), need) == same.needs.end()) same.needs.push_back(need);
        }
        std::sort(same.needs.begin(), same.needs.end());
        run_of[name] = known->second;
        continue;
      }
      run_of[name] = plan.runs.size();
      by_dir[run.dir.string()] = plan.runs.size();
      plan.runs.push_back(std::move(run));
    }
    if (p == 0) {
      first_point_runs = run_of;
      for (const auto& name : aggregate) first_point.emplace(name, built.at(name));
    }
  }
  // Aggregate stages come once, after every point: their "stage:" references are the first
  // point's runs (the stages they name should not vary over the sweep), "all:" every point's.
  for (const auto& name : context.stages) {
    if (!aggregate.count(name)) continue;
    PlannedRun run = make_run(name, first_point.at(name), first_point_runs);
    run.label = "all points";
    plan.runs.push_back(std::move(run));
  }
  plan.experiment = plan.runs.empty() ? std::string() : plan.runs.front().config.name;

  // Levels: a shared run may need runs added after it, so relax until nothing changes (the graph
  // is acyclic: each point's stages are, and sharing only merges runs of the same stage).
  for (bool changed = true; changed;) {
    changed = false;
    for (auto& run : plan.runs) {
      for (std::size_t need : run.needs) {
        if (run.level <= plan.runs[need].level) {
          run.level = plan.runs[need].level + 1;
          changed = true;
        }
      }
      if (run.level > static_cast<int>(plan.runs.size())) {
        throw ConfigError(context.file, 0, 0, "stages", "form a cycle across sweep points (stage " + run.stage + ")");
      }
    }
  }

  // Order by level (stable), so that --level L --task I counts the same runs on every call.
  std::vector<std::size_t> order(plan.runs.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return plan.runs[a].level < plan.runs[b].level; });
  std::vector<std::size_t> new_index(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) new_index[order[i]] = i;
  std::vector<PlannedRun> sorted;
  for (std::size_t i : order) {
    sorted.push_back(std::move(plan.runs[i]));
    for (auto& need : sorted.back().needs) need = new_index[need];
  }
  plan.runs = std::move(sorted);
  return plan;
}

}  // namespace hierad::config
