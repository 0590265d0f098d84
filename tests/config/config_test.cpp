// The config layer: every class of error names file:line:column and the key path; defaults and
// non-default values round-trip through the printer.
#include "src/config/config_io.hpp"
#include "src/config/data_sets.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace hierad::config {
namespace {

// Parses `text` and returns the error message it must produce.
std::string error_of(const std::string& text) {
  try {
    parse_experiment(text, "exp.toml");
  } catch (const ConfigError& error) {
    return error.what();
  }
  ADD_FAILURE() << "no error for:\n" << text;
  return "";
}

TEST(ConfigDefaults, MatchTheMethod) {
  const ExperimentConfig c = parse_experiment("", "empty.toml");
  EXPECT_EQ(c.model.scales, 3);
  EXPECT_EQ(c.model.steps, 32);
  EXPECT_EQ(c.model.hidden, 512);
  EXPECT_EQ(c.model.coupling, Coupling::affine);
  EXPECT_EQ(c.model.permutation, Permutation::lu);
  EXPECT_EQ(c.model.init_batches * c.model.init_batch_size, 704);
  EXPECT_DOUBLE_EQ(c.train.lr, 5e-4);
  EXPECT_DOUBLE_EQ(c.train.weight_decay, 5e-5);
  EXPECT_EQ(c.train.batch_size, 64);
  EXPECT_DOUBLE_EQ(c.train.grad_clip, 0.0);
  EXPECT_EQ(c.train.warmup_steps, 0);
  EXPECT_DOUBLE_EQ(c.train.outlier.weight, 6000.0);
  EXPECT_DOUBLE_EQ(c.train.outlier.temperature, 1000.0);
  EXPECT_DOUBLE_EQ(c.train.bucket_mb, 25.0);
  EXPECT_EQ(c.data.block_size, 64);
  EXPECT_EQ(c.data.shuffle_buffer, 65536);
  EXPECT_FALSE(c.data.general.has_value());
}

TEST(ConfigRead, ValuesAndSources) {
  const ExperimentConfig c = parse_experiment(R"(
name = "fmnist"
[model]
scales = 2
channels = 1
coupling = "additive"
[train]
lr = 1          # an integer is accepted for a float
outlier = { enabled = true, weight = 10.5 }
[data.in_dist]
format = "idx"
path = "/x/train-images-idx3-ubyte.gz"
[data.ood.mnist]
format = "idx"
path = "/y/mnist.gz"
hflip = true
)",
                                              "exp.toml");
  EXPECT_EQ(c.name, "fmnist");
  EXPECT_EQ(c.model.scales, 2);
  EXPECT_EQ(c.model.channels, 1);
  EXPECT_EQ(c.model.coupling, Coupling::additive);
  EXPECT_DOUBLE_EQ(c.train.lr, 1.0);
  EXPECT_TRUE(c.train.outlier.enabled);
  EXPECT_DOUBLE_EQ(c.train.outlier.weight, 10.5);
  ASSERT_TRUE(c.data.in_dist.has_value());
  EXPECT_EQ(c.data.in_dist->format, "idx");
  ASSERT_EQ(c.data.ood.count("mnist"), 1u);
  EXPECT_TRUE(c.data.ood.at("mnist").hflip);
  EXPECT_DOUBLE_EQ(c.data.ood.at("mnist").shift, 3.2);  // default kept: the authors' translate 0.1 x 32 px
}

TEST(ConfigErrors, OutOfRangeNamesFileLineColumnAndKey) {
  EXPECT_EQ(error_of("[train]\nsteps = 10\nlr = -1\n"), "exp.toml:3:6: train.lr must be > 0 (got -1)");
  EXPECT_EQ(error_of("[model]\nchannels = 2\n"), "exp.toml:2:12: model.channels must be 1 or 3 (got 2)");
  EXPECT_EQ(error_of("[model]\nimage_size = 24\n"),
            "exp.toml:2:14: model.image_size must be a power of two >= 4 (got 24)");
}

TEST(ConfigErrors, WrongTypeNamesTheExpectedType) {
  EXPECT_EQ(error_of("[train]\nlr = \"fast\"\n"), "exp.toml:2:6: train.lr must be a number (got a string)");
  EXPECT_EQ(error_of("[model]\nscales = 2.5\n"),
            "exp.toml:2:10: model.scales must be an integer (got a float)");
  EXPECT_EQ(error_of("[model]\ncoupling = \"spline\"\n"),
            "exp.toml:2:12: model.coupling must be one of affine, additive (got \"spline\")");
  EXPECT_EQ(error_of("model = 3\n"), "exp.toml:1:9: model must be a table ([model])");
  EXPECT_EQ(error_of("[score]\nsets = [\"a\", 1]\n"),
            "exp.toml:2:14: score.sets must be an array of strings (got an integer)");
}

TEST(ConfigErrors, UnknownKeysAreRejectedWithAHint) {
  EXPECT_EQ(error_of("[train]\nlrr = 0.1\n"),
            "exp.toml:2:7: train.lrr is not a known key (did you mean train.lr?)");
  EXPECT_EQ(error_of("[modle]\nscales = 1\n"),
            "exp.toml:1:1: modle is not a known key (did you mean model?)");
  EXPECT_EQ(error_of("[data.ood.svhn]\nformat = \"svhn\"\npath = \"a.mat\"\ncolour = true\n"),
            "exp.toml:4:10: data.ood.svhn.colour is not a known key");
}

TEST(ConfigErrors, MissingRequiredKeyNamesTheTable) {
  EXPECT_EQ(error_of("[data.general]\nformat = \"tiny\"\n"),
            "exp.toml:1:1: data.general.path is required in [data.general]");
}

TEST(ConfigErrors, SyntaxErrorHasAPosition) {
  const std::string message = error_of("[train]\nlr = [1,\n");
  EXPECT_EQ(message.rfind("exp.toml:2:", 0), 0u) << message;
}

TEST(ConfigErrors, IntegerOverflowIsReported) {
  EXPECT_EQ(error_of("[model]\nhidden = 99999999999\n"),
            "exp.toml:2:10: model.hidden is out of range for its type (got 99999999999)");
}

TEST(ConfigFiles, MissingFileIsNamed) {
  try {
    load_experiment("/nonexistent/exp.toml");
    FAIL() << "no error";
  } catch (const ConfigError& error) {
    EXPECT_EQ(std::string(error.what()), "/nonexistent/exp.toml: cannot open the file for reading");
  }
}

TEST(ConfigFiles, ErrorsNameTheRealPath) {
  const auto path = std::filesystem::temp_directory_path() / "hierad_config_test.toml";
  std::ofstream(path) << "[train]\n\nbatch_size = 0\n";
  try {
    load_experiment(path);
    FAIL() << "no error";
  } catch (const ConfigError& error) {
    EXPECT_EQ(std::string(error.what()), path.string() + ":3:14: train.batch_size must be >= 1 (got 0)");
  }
  std::filesystem::remove(path);
}

bool same(const ExperimentConfig& a, const ExperimentConfig& b) { return to_toml(a) == to_toml(b); }

TEST(ConfigRoundTrip, DefaultsPrintAndReadBack) {
  const ExperimentConfig defaults;
  const std::string text = to_toml(defaults);
  const ExperimentConfig back = parse_experiment(text, "printed.toml");
  EXPECT_TRUE(same(defaults, back)) << text;
  EXPECT_DOUBLE_EQ(back.train.lr, 5e-4);
  EXPECT_NE(text.find("lr = 0.0005"), std::string::npos) << text;  // shortest round-trip form
}

TEST(ConfigRoundTrip, EveryKindOfValueSurvives) {
  ExperimentConfig c;
  c.name = "x-1";
  c.model.coupling = Coupling::additive;
  c.model.precision = Precision::bf16;
  c.train.lr = 1.0 / 3.0;
  c.train.seed = 1234567890123ULL;
  c.train.outlier.enabled = true;
  c.data.general = SourceConfig{};
  c.data.general->format = "tiny";
  c.data.general->path = "dir with \"quotes\" and \\ back\tslash";
  c.data.ood["lsun-resize"].format = "folder";
  c.data.ood["lsun-resize"].path = "/d";
  c.data.ood["odd name"].format = "svhn";
  c.data.ood["odd name"].path = "/e.mat";
  c.score.sets = {"a", "b"};
  const ExperimentConfig back = parse_experiment(to_toml(c), "printed.toml");
  EXPECT_TRUE(same(c, back)) << to_toml(c) << "\n---\n" << to_toml(back);
  EXPECT_EQ(back.train.lr, 1.0 / 3.0);  // bit-exact
  EXPECT_EQ(back.data.general->path, c.data.general->path);
  EXPECT_EQ(back.data.ood.size(), 2u);
}

TEST(DataSets, SetNamesFindTheirTableAndSource) {
  DataConfig data;
  data.general = SourceConfig{};
  data.general->path = "/tiny.bin";
  data.ood["svhn"].path = "/svhn.mat";
  EXPECT_EQ(data_table_of("general"), "data.general");
  EXPECT_EQ(data_table_of("in_dist_test"), "data.in_dist_test");
  EXPECT_EQ(data_table_of("svhn"), "data.ood.svhn");
  ASSERT_NE(data_source_of(data, "general"), nullptr);
  EXPECT_EQ(data_source_of(data, "general")->path, "/tiny.bin");
  EXPECT_EQ(data_source_of(data, "svhn")->path, "/svhn.mat");
  EXPECT_EQ(data_source_of(data, "in_dist"), nullptr);  // not configured
  EXPECT_EQ(data_source_of(data, "cifar"), nullptr);
}

}  // namespace
}  // namespace hierad::config
