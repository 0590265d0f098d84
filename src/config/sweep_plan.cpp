#include "src/config/sweep_plan.hpp"

#include "src/config/strings.hpp"
#include "src/config/sweep_axes.hpp"
#include "src/config/toml_document.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <set>
#include <utility>

namespace hierad::config {
namespace {

using Context = SweepContext;

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
        if (other == name) throw error_at(item, context.file, shown + ".needs", "names the stage itself");
        if (!context.has_stage(other)) throw error_at(item, context.file, shown + ".needs", "names " + context.undefined(other));
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
  apply_point(doc, spec, point, context.file);
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
    if (other == stage) fail(field, "refers to the stage itself (\"" + value + "\")");
    if (!context.has_stage(other)) fail(field, "refers to " + context.undefined(other));
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

// Labels are space-separated key=value items; keeps those both share.
std::string intersect_labels(const std::string& a, const std::string& b) {
  const std::vector<std::string> theirs = split(b, ' ');
  std::vector<std::string> shared;
  for (const auto& item : split(a, ' ')) {
    if (!item.empty() && std::find(theirs.begin(), theirs.end(), item) != theirs.end()) shared.push_back(item);
  }
  return join(shared, " ");
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
  std::map<std::string, std::set<std::size_t>> runs_of_stage;  // over all points
  for (std::size_t p = 0; p < points.size(); ++p) {
    const Point& point = points[p];
    std::map<std::string, BuiltStage> built;
    for (const auto& name : context.stages) {
      if (p > 0 && aggregate.count(name)) continue;  // planned once, from the first point
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
      // The label: the sweep values that apply to this stage, as written in the file.
      run.label = point_label(root, spec, point, [&](const std::string& path) {
        return path.rfind("stages.", 0) != 0 || path.rfind("stages." + name + ".", 0) == 0;
      });
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
    for (const auto& [stage, index] : run_of) runs_of_stage[stage].insert(index);
    if (p == 0) {
      first_point_runs = run_of;
      for (const auto& name : aggregate) first_point.emplace(name, built.at(name));
    }
  }
  // Aggregate stages come once, after every point: their "stage:" references are the first
  // point's runs (the stages they name should not vary over the sweep), "all:" every point's.
  for (const auto& name : context.stages) {
    if (!aggregate.count(name)) continue;
    for (const auto& other : first_point.at(name).depends) {
      if (runs_of_stage[other].size() > 1) {
        throw ConfigError(context.file, 0, 0, "stages." + name,
                          "refers to stage \"" + other + "\" (\"stage:" + other + "\"), which is a different run at each "
                          "sweep point (" + std::to_string(runs_of_stage[other].size()) +
                              " runs); a stage that aggregates every point can only name a stage they share");
      }
    }
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
