// The one list of configuration keys: name, member, check and one line of documentation each.
//
// Both the TOML reader (toml_reader.cpp) and the printer (config_printer.cpp) walk these lists
// through a visitor, so a key can never be readable but unprinted, or documented but unchecked.
// A visitor provides:
//   template <class T> void field(const char* key, T& value, Check<T> check, const char* doc);
//   template <class S> void section(const char* key, S& sub);                  // [key]
//   void optional_source(const char* key, std::optional<SourceConfig>& src);   // [key] if present
//   void source_map(const char* key, std::map<std::string, SourceConfig>& m);  // [key.<name>]
#pragma once

#include "src/config/checks.hpp"
#include "src/config/experiment_config.hpp"

namespace hierad::config {

template <class V>
void visit_fields(ModelConfig& c, V& v) {
  v.field("scales", c.scales, at_least(1), "number of scales L");
  v.field("steps", c.steps, at_least(1), "flow steps K per scale");
  v.field("hidden", c.hidden, at_least(1), "hidden channels of each coupling network");
  v.field("coupling", c.coupling, any<Coupling>(), "affine or additive");
  v.field("permutation", c.permutation, any<Permutation>(), "lu (learned 1x1 conv) or fixed");
  v.field("channels", c.channels, one_of_ints({1, 3}), "input channels: 3 (RGB) or 1 (grey)");
  v.field("image_size", c.image_size, power_of_two_at_least(4), "input height = width");
  v.field("device", c.device, device_name(), "auto, cpu, cuda or cuda:N");
  v.field("precision", c.precision, any<Precision>(), "fp32, tf32 or bf16 (coupling networks only)");
  v.field("init_batches", c.init_batches, at_least(1), "ActNorm data init: number of batches");
  v.field("init_batch_size", c.init_batch_size, at_least(1), "ActNorm data init: images per batch");
}

template <class V>
void visit_fields(SourceConfig& c, V& v) {
  v.field("format", c.format,
          one_of_strings({"tiny", "cifar10", "cifar100", "svhn", "idx", "folder", "hdf5", "npy", "npz"}),
          "tiny, cifar10, cifar100, svhn, idx, folder, hdf5, npy or npz");
  v.field("path", c.path, non_empty(), "file or folder of the set");
  v.field("split", c.split, one_of_strings({"train", "test"}), "train or test (folder-shaped sets)");
  v.field("labels", c.labels, anything<std::string>(), "idx: label file (optional)");
  v.field("exclude", c.exclude, anything<std::string>(), "tiny: 1-based exclusion list (optional)");
  v.field("io", c.io, one_of_strings({"mmap", "pread"}), "tiny: mmap, or pread on network file systems");
  v.field("dataset", c.dataset, non_empty(), "hdf5: dataset name; npz: member (default images, else data or arr_0)");
  v.field("channels", c.channels, one_of_ints({0, 1, 3}),
          "channels delivered, converted if need be: 1 grey, 3 RGB, 0 = model.channels");
  v.field("first", c.first, at_least<std::int64_t>(0), "first image used");
  v.field("count", c.count, at_least<std::int64_t>(-1), "images used from first on; -1 = all");
  v.field("shift", c.shift, in_range_real(0.0, 16.0),
          "augmentation: per axis a shift of round(U(-shift, shift)) pixels (authors: 3.2)");
  v.field("hflip", c.hflip, anything<bool>(), "augmentation: random horizontal flip");
  v.field("on_bad_image", c.on_bad_image, any<OnBadImage>(), "folder: fail or skip unreadable images");
}

template <class V>
void visit_fields(DataConfig& c, V& v) {
  v.field("block_size", c.block_size, at_least(1), "shuffle unit for streamed sets (consecutive images)");
  v.field("shuffle_buffer", c.shuffle_buffer, at_least<std::int64_t>(0),
          "streamed sets: images per shuffle window, single images drawn across its blocks; 0 = blocks only");
  v.field("prefetch_batches", c.prefetch_batches, at_least(1), "batches prepared ahead of the step");
  v.field("loader_threads", c.loader_threads, at_least(1), "background reading/decoding threads");
  v.field("seed", c.seed, anything<std::uint64_t>(), "data order and augmentation seed");
  v.optional_source("general", c.general);
  v.optional_source("in_dist", c.in_dist);
  v.optional_source("in_dist_test", c.in_dist_test);
  v.source_map("ood", c.ood);
}

template <class V>
void visit_fields(OutlierConfig& c, V& v) {
  v.field("enabled", c.enabled, anything<bool>(), "add the outlier loss (method.md §5)");
  v.field("weight", c.weight, at_least(0.0), "w");
  v.field("temperature", c.temperature, greater_than(0.0), "T");
  v.field("general_checkpoint", c.general_checkpoint, anything<std::string>(), "the frozen general model");
}

template <class V>
void visit_fields(TrainConfig& c, V& v) {
  v.field("on", c.on, one_of_strings({"general", "in_dist"}), "training set: general or in_dist");
  v.field("steps", c.steps, at_least<std::int64_t>(1), "optimiser steps");
  v.field("batch_size", c.batch_size, at_least(1), "images per rank per micro-batch");
  v.field("accumulation", c.accumulation, at_least(1), "micro-batches per optimiser step");
  v.field("lr", c.lr, greater_than(0.0), "Adamax learning rate");
  v.field("weight_decay", c.weight_decay, at_least(0.0), "L2 weight decay");
  v.field("warmup_steps", c.warmup_steps, at_least(0), "linear learning-rate warm-up; 0 = none");
  v.field("grad_clip", c.grad_clip, at_least(0.0), "max gradient norm; 0 = no clipping");
  v.field("seed", c.seed, anything<std::uint64_t>(), "model initialisation seed");
  v.field("init_from", c.init_from, anything<std::string>(), "checkpoint to fine-tune from");
  v.field("accept_older_checkpoint", c.accept_older_checkpoint, anything<bool>(),
          "init_from/outlier.general_checkpoint naming an unfinished run or one whose final checkpoint "
          "is corrupt: use its newest valid checkpoint, with a warning, instead of failing");
  v.field("backend", c.backend, any<Backend>(), "automatic, mpi or nccl");
  v.field("bucket_mb", c.bucket_mb, greater_than(0.0), "gradient allreduce bucket size (MB)");
  v.field("collective_timeout", c.collective_timeout, at_least(0.0),
          "seconds a collective may wait for the other ranks before the job is aborted; 0 = never");
  v.field("deterministic", c.deterministic, anything<bool>(),
          "CUDA: deterministic cuDNN algorithms and no autotuning (bit-identical reruns)");
  v.field("log_every", c.log_every, at_least(1), "steps between progress lines and metrics rows");
  v.field("checkpoint_every", c.checkpoint_every, at_least(1), "steps between checkpoints");
  v.field("keep_checkpoints", c.keep_checkpoints, at_least(1), "checkpoints kept in the run directory");
  v.field("validate_every", c.validate_every, at_least(0), "steps between validations; 0 = none");
  v.section("outlier", c.outlier);
}

template <class V>
void visit_fields(ScoreConfig& c, V& v) {
  v.field("checkpoint", c.checkpoint, anything<std::string>(),
          "checkpoint file or run directory to score; empty = the final checkpoint of this run");
  v.field("accept_older_checkpoint", c.accept_older_checkpoint, anything<bool>(),
          "the run scored has not finished or its final checkpoint is corrupt: score its newest valid "
          "checkpoint, with a warning, instead of failing");
  v.field("batch_size", c.batch_size, at_least(1), "images per rank per batch");
  v.field("output", c.output, non_empty(), "score file, relative to the run directory");
  v.field("sets", c.sets, anything<std::vector<std::string>>(), "sets to score; empty = all");
  v.field("cuda_graph", c.cuda_graph, anything<bool>(),
          "CUDA: full batches replay one captured graph of the forward (the CPU ignores it)");
}

template <class V>
void visit_fields(AnalysisConfig& c, V& v) {
  v.field("scores", c.scores, anything<std::vector<std::string>>(), "score kinds; empty = the standard set");
  v.field("in_set", c.in_set, non_empty(), "in-distribution set compared with the OOD sets");
  v.field("general_scores", c.general_scores, anything<std::string>(), "general model's score file");
  v.field("runs", c.runs, anything<std::vector<std::string>>(), "score files of further runs to aggregate");
  v.field("output", c.output, non_empty(), "report folder, relative to the run directory");
  v.field("plots", c.plots, anything<bool>(), "draw ROC curves and histograms");
  v.field("input_complexity", c.input_complexity, anything<bool>(), "add the PNG input-complexity baseline");
  v.field("non_finite", c.non_finite, one_of_strings({"anomalous", "authors"}),
          "anomalous (non-finite scores count as anomalous) or authors (each model's non-finite log p "
          "replaced by -3e6 before the ratio; score kinds named <kind>+nonfinite_-3e6)");
}

template <class V>
void visit_fields(ExperimentConfig& c, V& v) {
  v.field("name", c.name, identifier(), "experiment name (letters, digits, - _ .)");
  v.field("output_dir", c.output_dir, non_empty(), "root of the run directories");
  v.section("model", c.model);
  v.section("data", c.data);
  v.section("train", c.train);
  v.section("score", c.score);
  v.section("analysis", c.analysis);
}

}  // namespace hierad::config
