// Experiment files with inherit, ${VAR}, stages and sweeps: what they expand to, and that every
// mistake is an error naming the file, the line and the key.
#include "src/config/config_io.hpp"
#include "src/config/sweep_plan.hpp"
#include "tests/common/temp_dir.hpp"

#include <gtest/gtest.h>

#include <stdlib.h>

#include <cmath>
#include <set>

namespace hierad::config {
namespace {

using test::TempDir;
using test::write_text;

// The ConfigError message that reading `file` with `read` (plan_sweep or load_experiment) gives.
template <class Read>
std::string error_of(Read read, const std::filesystem::path& file) {
  try {
    read(file);
  } catch (const ConfigError& error) {
    return error.what();
  }
  ADD_FAILURE() << "no error for " << file;
  return "";
}

std::string plan_error(const std::filesystem::path& file) { return error_of(plan_sweep, file); }
std::string load_error(const std::filesystem::path& file) { return error_of(load_experiment, file); }

const PlannedRun& run_of_stage(const SweepPlan& plan, const std::string& stage, std::size_t nth = 0) {
  for (const auto& run : plan.runs) {
    if (run.stage == stage && nth-- == 0) return run;
  }
  throw std::runtime_error("no run of stage " + stage);
}

TEST(Inherit, MergesTablesKeyByKeyAndReplacesArrays) {
  TempDir dir;
  std::filesystem::create_directories(dir / "bases");
  write_text(dir / "bases/root.toml", "name = \"root\"\n[model]\nhidden = 64\nsteps = 4\n[score]\nsets = [\"a\", \"b\"]\n");
  write_text(dir / "bases/mid.toml", "inherit = \"root.toml\"\n[model]\nsteps = 8\n");
  write_text(dir / "exp.toml", "inherit = \"bases/mid.toml\"\nname = \"exp\"\n[model]\nscales = 2\n[score]\nsets = [\"c\"]\n");
  const ExperimentConfig c = load_experiment(dir / "exp.toml");
  EXPECT_EQ(c.name, "exp");
  EXPECT_EQ(c.model.hidden, 64);   // from root
  EXPECT_EQ(c.model.steps, 8);     // mid over root
  EXPECT_EQ(c.model.scales, 2);    // exp's own
  EXPECT_EQ(c.score.sets, std::vector<std::string>{"c"});
}

TEST(Inherit, ErrorsInABaseNameTheBaseFile) {
  TempDir dir;
  write_text(dir / "base.toml", "[model]\n\nhiden = 64\n");
  write_text(dir / "exp.toml", "inherit = \"base.toml\"\n");
  const std::string what = load_error(dir / "exp.toml");
  EXPECT_NE(what.find("base.toml:3:9: model.hiden is not a known key (did you mean model.hidden?)"), std::string::npos)
      << what;
}

TEST(Inherit, CycleIsAnErrorNamingFileAndKey) {
  TempDir dir;
  write_text(dir / "a.toml", "inherit = \"b.toml\"\n");
  write_text(dir / "b.toml", "# b\ninherit = \"a.toml\"\n");
  const std::string what = load_error(dir / "a.toml");
  EXPECT_NE(what.find("b.toml:2:11: inherit forms a cycle: "), std::string::npos) << what;
  EXPECT_NE(what.find("a.toml -> "), std::string::npos) << what;
}

TEST(Inherit, MissingBaseIsAnErrorNamingFileAndKey) {
  TempDir dir;
  write_text(dir / "exp.toml", "name = \"x\"\ninherit = \"nowhere.toml\"\n");
  const std::string what = load_error(dir / "exp.toml");
  EXPECT_NE(what.find("exp.toml:2:11: inherit names "), std::string::npos) << what;
  EXPECT_NE(what.find("nowhere.toml, which is not a readable file"), std::string::npos) << what;
}

TEST(Environment, ExpandsVariablesAndDefaults) {
  setenv("HIERAD_TEST_DATA", "/data/sets", 1);
  unsetenv("HIERAD_TEST_UNSET");
  const ExperimentConfig c = parse_experiment(R"(
[data.in_dist]
format = "idx"
path = "${HIERAD_TEST_DATA}/train.gz"
labels = "${HIERAD_TEST_UNSET:-/fallback}/labels.gz"
)", "exp.toml");
  EXPECT_EQ(c.data.in_dist->path, "/data/sets/train.gz");
  EXPECT_EQ(c.data.in_dist->labels, "/fallback/labels.gz");
  try {
    parse_experiment("[data.in_dist]\nformat = \"idx\"\npath = \"${HIERAD_TEST_UNSET}/x\"\n", "exp.toml");
    FAIL() << "no error";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("exp.toml:3:8: data.in_dist.path uses the environment variable "
                                             "HIERAD_TEST_UNSET, which is not set"),
              std::string::npos)
        << error.what();
  }
}

TEST(RunId, DependsOnWhatTrainingReadsOnly) {
  const ExperimentConfig base = parse_experiment("[train]\nlr = 1e-3\n", "a.toml");
  ExperimentConfig other = base;
  other.analysis.output = "elsewhere";
  other.score.batch_size = 7;
  other.data.ood["svhn"].path = "/x.mat";
  other.output_dir = "/scratch/runs";
  other.data.loader_threads = 7;
  other.train.checkpoint_every = 3;
  other.train.log_every = 1;
  other.train.keep_checkpoints = 9;
  other.train.accept_older_checkpoint = true;  // a per-call escape hatch, not part of what is computed
  EXPECT_EQ(run_id(base), run_id(other));
  {
    ExperimentConfig accepting = base;
    accepting.score.accept_older_checkpoint = true;
    EXPECT_EQ(step_config_text(base, Step::score), step_config_text(accepting, Step::score));
  }
  EXPECT_NE(step_config_text(base, Step::score), step_config_text(other, Step::score));
  other.data.seed = 5;  // the data order: a different run
  EXPECT_NE(run_id(base), run_id(other));
  other.data.seed = base.data.seed;
  other.train.lr = 2e-3;
  EXPECT_NE(run_id(base), run_id(other));
}

const char* kGrid = R"(name = "grid"
[model]
steps = 2
[sweep.grid]
"train.seed" = [0, 1]
"train.lr" = [1e-3, 5e-4]
)";

TEST(Sweep, GridGivesEveryCombinationWithStableIds) {
  TempDir dir;
  write_text(dir / "exp.toml", kGrid);
  const SweepPlan plan = plan_sweep(dir / "exp.toml");
  ASSERT_EQ(plan.runs.size(), 4u);
  EXPECT_EQ(plan.points, 4u);
  std::set<std::string> ids, labels;
  std::set<std::pair<std::uint64_t, double>> values;
  for (const auto& run : plan.runs) {
    ids.insert(run.id);
    labels.insert(run.label);
    values.insert({run.config.train.seed, run.config.train.lr});
    EXPECT_EQ(run.stage, "main");
    EXPECT_EQ(run.steps, (std::vector<Step>{Step::train, Step::score, Step::analyze}));
    EXPECT_EQ(run.dir, std::filesystem::path("runs") / "grid" / run.id);
    EXPECT_EQ(run.config.model.steps, 2);
  }
  EXPECT_EQ(ids.size(), 4u);
  EXPECT_EQ(values.size(), 4u);
  EXPECT_TRUE(labels.count("train.lr=0.001 train.seed=1")) << *labels.begin();
  // Re-planning, even from a file formatted differently, gives the same ids.
  write_text(dir / "same.toml", std::string("# same sweep\n") + kGrid);
  const SweepPlan again = plan_sweep(dir / "same.toml");
  for (std::size_t i = 0; i < plan.runs.size(); ++i) EXPECT_EQ(again.runs[i].id, plan.runs[i].id);
}

TEST(Sweep, RandomAxesAreSeededAndInRange) {
  TempDir dir;
  const auto file = [&](int seed) {
    write_text(dir / "exp.toml", "[sweep]\nseed = " + std::to_string(seed) +
                                     "\nsamples = 5\n[sweep.random]\n\"train.lr\" = { log_uniform = [1e-4, 1e-2] }\n"
                                     "\"train.warmup_steps\" = { uniform = [10, 20] }\n"
                                     "[sweep.grid]\n\"train.seed\" = [0, 1]\n");
    return plan_sweep(dir / "exp.toml");
  };
  const SweepPlan a = file(3), b = file(3), c = file(4);
  ASSERT_EQ(a.runs.size(), 10u);
  std::set<double> lrs;
  for (std::size_t i = 0; i < a.runs.size(); ++i) {
    const auto& t = a.runs[i].config.train;
    EXPECT_GE(t.lr, 1e-4);
    EXPECT_LT(t.lr, 1e-2);
    EXPECT_GE(t.warmup_steps, 10);
    EXPECT_LE(t.warmup_steps, 20);
    EXPECT_EQ(t.lr, b.runs[i].config.train.lr);
    EXPECT_NE(t.lr, c.runs[i].config.train.lr);
    lrs.insert(t.lr);
  }
  EXPECT_EQ(lrs.size(), 5u);  // 5 draws, each replicated for seed 0 and 1
  EXPECT_EQ(a.runs[0].config.train.lr, a.runs[5].config.train.lr);
  EXPECT_EQ(a.runs[0].config.train.seed + 1, a.runs[5].config.train.seed);
}

TEST(Sweep, AxisNamingAnUnknownKeyIsAnError) {
  TempDir dir;
  write_text(dir / "exp.toml", "name = \"x\"\n\n[sweep.grid]\n\"train.lrr\" = [1e-3]\n");
  const std::string what = plan_error(dir / "exp.toml");
  EXPECT_NE(what.find("exp.toml:4:15: sweep.grid.\"train.lrr\" names no configuration key: train.lrr "
                      "(did you mean train.lr?)"),
            std::string::npos)
      << what;
  write_text(dir / "stage.toml", "[stages.a]\n[sweep.grid]\n\"stages.b.train.lr\" = [1e-3]\n");
  EXPECT_NE(plan_error(dir / "stage.toml").find("stage.toml:3:23: sweep.grid.\"stages.b.train.lr\" names stage \"b\", "
                                                 "which [stages] does not define (stages: a)"),
            std::string::npos);
  write_text(dir / "shape.toml", "[sweep.grid]\n\"train.lr\" = 1e-3\n");
  EXPECT_NE(plan_error(dir / "shape.toml").find("must be a non-empty array"), std::string::npos);
  write_text(dir / "random.toml", "[sweep.random]\n\"train.lr\" = { log_uniform = [0.0, 1.0] }\n");
  EXPECT_NE(plan_error(dir / "random.toml").find("random.toml:2:14: sweep.random.\"train.lr\" log_uniform needs low > 0"),
            std::string::npos);
  write_text(dir / "key.toml", "[sweep]\nsample = 3\n");
  EXPECT_NE(plan_error(dir / "key.toml").find("key.toml:2:10: sweep.sample is not a known key"), std::string::npos);
}

const char* kPipeline = R"(name = "pipe"
[model]
steps = 2
[data.ood.digits]
format = "hdf5"
path = "digits.h5"
[analysis]
general_scores = "stage:general"

[stages.general]
do = ["score", "train"]
[stages.general.train]
on = "general"

[stages.fmnist]
[stages.fmnist.train]
on = "in_dist"
init_from = "stage:general"

[stages.outlier]
needs = ["fmnist"]
[stages.outlier.train]
on = "in_dist"
init_from = "stage:general"
outlier = { enabled = true, general_checkpoint = "stage:general" }

[sweep.grid]
"stages.fmnist.train.seed" = [1, 2]
)";

TEST(Stages, ReferencesResolveAndSharedRunsRunOnce) {
  TempDir dir;
  write_text(dir / "exp.toml", kPipeline);
  const SweepPlan plan = plan_sweep(dir / "exp.toml");
  // general and outlier do not depend on the axis: one run each; fmnist: one per seed.
  ASSERT_EQ(plan.runs.size(), 4u);
  EXPECT_EQ(plan.levels(), 3);
  const PlannedRun& general = run_of_stage(plan, "general");
  EXPECT_EQ(general.level, 0);
  EXPECT_EQ(general.steps, (std::vector<Step>{Step::train, Step::score}));
  EXPECT_EQ(general.config.analysis.general_scores, "");  // general does not analyse: reference dropped
  EXPECT_EQ(general.label, "");
  const PlannedRun& fmnist = run_of_stage(plan, "fmnist");
  EXPECT_EQ(fmnist.level, 1);
  EXPECT_EQ(fmnist.config.train.init_from, general.dir.string());
  EXPECT_EQ(fmnist.config.analysis.general_scores, (general.dir / "scores.h5").string());
  EXPECT_EQ(fmnist.label, "stages.fmnist.train.seed=1");
  EXPECT_EQ(run_of_stage(plan, "fmnist", 1).label, "stages.fmnist.train.seed=2");
  const PlannedRun& outlier = run_of_stage(plan, "outlier");
  EXPECT_EQ(outlier.level, 2);  // needs fmnist (both seeds' fmnist runs)
  EXPECT_EQ(outlier.config.train.outlier.general_checkpoint, general.dir.string());
  EXPECT_TRUE(outlier.config.train.outlier.enabled);
  EXPECT_EQ(outlier.needs.size(), 3u);
  EXPECT_EQ(plan.runs_of_level(1).size(), 2u);
}

TEST(Stages, AnAggregateStageAnalysesEveryPointOnce) {
  TempDir dir;
  write_text(dir / "exp.toml", std::string(kPipeline) + R"(
[stages.seeds]
do = ["analyze"]
[stages.seeds.analysis]
runs = ["all:fmnist", "extra.h5"]
)");
  const SweepPlan plan = plan_sweep(dir / "exp.toml");
  ASSERT_EQ(plan.runs.size(), 5u);
  const PlannedRun& seeds = plan.runs.back();
  EXPECT_EQ(seeds.stage, "seeds");
  EXPECT_EQ(seeds.steps, std::vector<Step>{Step::analyze});
  const PlannedRun &first = run_of_stage(plan, "fmnist"), &second = run_of_stage(plan, "fmnist", 1);
  EXPECT_EQ(seeds.config.analysis.runs, (std::vector<std::string>{(first.dir / "scores.h5").string(),
                                                                    (second.dir / "scores.h5").string(), "extra.h5"}));
  EXPECT_EQ(seeds.config.analysis.general_scores, (run_of_stage(plan, "general").dir / "scores.h5").string());
  EXPECT_EQ(seeds.level, 2);
  EXPECT_EQ(seeds.needs.size(), 3u);  // general (its scores) and both fmnist runs

  write_text(dir / "varying.toml", std::string(kPipeline) + R"(
[stages.seeds]
do = ["analyze"]
[stages.seeds.analysis]
general_scores = "stage:fmnist"
runs = ["all:outlier"]
)");
  EXPECT_NE(plan_error(dir / "varying.toml").find("stages.seeds refers to stage \"fmnist\" (\"stage:fmnist\"), which is a "
                                                  "different run at each sweep point (2 runs)"),
            std::string::npos)
      << plan_error(dir / "varying.toml");

  write_text(dir / "bad.toml", std::string(kPipeline) + "[stages.seeds.analysis]\nruns = [\"all:fmnist\"]\n");
  EXPECT_NE(plan_error(dir / "bad.toml").find("may only analyse (do = [\"analyze\"])"), std::string::npos)
      << plan_error(dir / "bad.toml");
  write_text(dir / "where.toml", std::string(kPipeline) + "[stages.seeds]\ndo = [\"score\"]\n[stages.seeds.score]\ncheckpoint = \"all:fmnist\"\n");
  EXPECT_NE(plan_error(dir / "where.toml").find("score.checkpoint may use \"all:<stage>\" only in analysis.runs"),
            std::string::npos)
      << plan_error(dir / "where.toml");
}

TEST(Stages, ChangingTheGeneralScoresReanalysesButDoesNotRetrain) {
  TempDir dir;
  write_text(dir / "exp.toml", kPipeline);
  const SweepPlan before = plan_sweep(dir / "exp.toml");
  std::string changed = kPipeline;
  changed.replace(changed.find("path = \"digits.h5\""), 18, "path = \"digits2.h5\"");
  write_text(dir / "exp.toml", changed);
  const SweepPlan after = plan_sweep(dir / "exp.toml");
  const PlannedRun &a = run_of_stage(before, "fmnist"), &b = run_of_stage(after, "fmnist");
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.fingerprints.at(Step::train), b.fingerprints.at(Step::train));
  EXPECT_NE(a.fingerprints.at(Step::score), b.fingerprints.at(Step::score));
  EXPECT_NE(a.fingerprints.at(Step::analyze), b.fingerprints.at(Step::analyze));
}

TEST(Stages, MissingStageIsAnErrorNamingFileAndKey) {
  TempDir dir;
  write_text(dir / "ref.toml", "[stages.general]\n[stages.fmnist.train]\ninit_from = \"stage:genral\"\n");
  EXPECT_NE(plan_error(dir / "ref.toml").find("ref.toml:3:13: stages.fmnist: train.init_from refers to stage "
                                              "\"genral\", which [stages] does not define (stages: fmnist, general)"),
            std::string::npos)
      << plan_error(dir / "ref.toml");
  write_text(dir / "needs.toml", "[stages.general]\n[stages.fmnist]\nneeds = [\"pretrain\"]\n");
  EXPECT_NE(plan_error(dir / "needs.toml").find("needs.toml:3:10: stages.fmnist.needs names stage \"pretrain\", "
                                                "which [stages] does not define"),
            std::string::npos)
      << plan_error(dir / "needs.toml");
  write_text(dir / "nostages.toml", "[score]\ncheckpoint = \"stage:general\"\n");
  EXPECT_NE(plan_error(dir / "nostages.toml").find("nostages.toml:2:14: stages.main: score.checkpoint refers to stage "
                                                   "\"general\", which [stages] does not define (stages: none)"),
            std::string::npos)
      << plan_error(dir / "nostages.toml");
  write_text(dir / "cycle.toml", "[stages.a]\nneeds = [\"b\"]\n[stages.b.train]\ninit_from = \"stage:a\"\n");
  EXPECT_NE(plan_error(dir / "cycle.toml").find("stages form a cycle: a -> b -> a"), std::string::npos)
      << plan_error(dir / "cycle.toml");
  write_text(dir / "step.toml", "[stages.a]\ndo = [\"train\", \"evaluate\"]\n");
  EXPECT_NE(plan_error(dir / "step.toml").find("step.toml:2:16: stages.a.do steps are"), std::string::npos)
      << plan_error(dir / "step.toml");
}

TEST(Stages, SingleRunCommandsRefuseSweepFiles) {
  TempDir dir;
  write_text(dir / "exp.toml", kPipeline);
  EXPECT_NE(load_error(dir / "exp.toml").find("run this file with `hierad sweep`"), std::string::npos)
      << load_error(dir / "exp.toml");
}

TEST(RunId, HashesOnlyTheKeysThatDifferFromTheirDefaults) {
  // So that a key added later with a default, or reworded documentation in to_toml, leaves the ids
  // of existing runs (and a sweep's finished steps) unchanged.
  const ExperimentConfig lr = parse_experiment("[train]\nlr = 2e-3\n", "a.toml");
  EXPECT_EQ(step_config_text(lr, Step::train), "train.lr = 0.002\n");
  const ExperimentConfig spelled_out = parse_experiment("[train]\nlr = 2e-3\nseed = " +
                                                            std::to_string(ExperimentConfig{}.train.seed) + "\n",
                                                        "b.toml");
  EXPECT_EQ(run_id(spelled_out), run_id(lr));

  // A source's own defaults drop out; that it is given does not.
  const ExperimentConfig with_source =
      parse_experiment("[train]\nlr = 2e-3\n[data.in_dist]\nformat = \"idx\"\npath = \"/x\"\n", "c.toml");
  EXPECT_EQ(step_config_text(with_source, Step::train),
            "[data.in_dist]\ndata.in_dist.format = \"idx\"\ndata.in_dist.path = \"/x\"\ntrain.lr = 0.002\n");
  ExperimentConfig default_source = lr;
  default_source.data.in_dist = SourceConfig{};
  EXPECT_NE(run_id(default_source), run_id(lr));
}

}  // namespace
}  // namespace hierad::config
