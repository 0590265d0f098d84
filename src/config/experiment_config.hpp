// Typed configuration of one hierad experiment, as read from a TOML file.
//
// The defaults written here are THE defaults: the TOML reader starts from these structs, and
// `hierad train --print-config` prints them. Which keys exist, their checks and their one-line
// documentation live in config_schema.hpp, next to nothing else.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hierad::config {

enum class Coupling { affine, additive };
enum class Permutation { lu, fixed };        // learned LU-form 1x1 conv, or a fixed random permutation
enum class Precision { fp32, tf32, bf16 };   // bf16: autocast of the coupling networks only
enum class Backend { automatic, mpi, nccl }; // automatic: NCCL on CUDA devices, MPI otherwise
enum class OnBadImage { fail, skip };        // image folders: stop at an unreadable file, or count and skip

// [model]: the multi-scale Glow of ../shared/docs/method.md §1.
struct ModelConfig {
  int scales = 3;                     // L
  int steps = 32;                     // K flow steps per scale
  int hidden = 512;                   // hidden channels of each coupling network
  Coupling coupling = Coupling::affine;
  Permutation permutation = Permutation::lu;
  int channels = 3;                   // 3 (RGB) or 1 (grey)
  int image_size = 32;                // height = width; grey 28x28 sets are resized by the data layer
  std::string device = "auto";        // auto (GPU of the local rank if any, else cpu), cpu, cuda, cuda:N
  Precision precision = Precision::fp32;
  int init_batches = 11;              // ActNorm data-dependent init: batches of init_batch_size images
  int init_batch_size = 64;
};

// One image source: [data.general], [data.in_dist] or [data.ood.<name>].
struct SourceConfig {
  std::string format;                 // tiny, cifar10, cifar100, svhn, idx, folder, hdf5, npy, npz
  std::string path;                   // file or folder, as the format expects
  std::string split = "train";        // train or test: which files of a folder-shaped set to read
  std::string labels;                 // idx: label file (optional)
  std::string exclude;                // tiny: 80mn_cifar_idxs.txt-style 1-based exclusion list (optional)
  std::string io = "mmap";            // tiny: mmap (least CPU) or pread (I/O errors and shrinking files
                                      // become errors instead of SIGBUS: network file systems)
  std::string dataset = "images";     // hdf5: dataset name inside the file; npz: member name (images,
                                      // else data or arr_0 when left at the default)
  int channels = 0;                   // channels delivered: 1 grey, 3 RGB (converted, src/data/channels.hpp);
                                      // 0 = model.channels, as the model reads them
  std::int64_t first = 0;             // first image index used
  std::int64_t count = -1;            // images used from `first` on; -1 = all
  double shift = 3.2;                 // training augmentation: per axis round(U(-shift, shift)) px, the
                                      // authors' RandomAffine translate 0.1 x 32 px (src/data/augment.hpp)
  bool hflip = false;                 // training augmentation: random horizontal flip (not for digits)
  OnBadImage on_bad_image = OnBadImage::fail;
};

// [data]
struct DataConfig {
  std::optional<SourceConfig> general;          // the general distribution (e.g. 80M Tiny Images)
  std::optional<SourceConfig> in_dist;          // the in-distribution training set
  std::optional<SourceConfig> in_dist_test;     // its held-out split, scored and used for validation
  std::map<std::string, SourceConfig> ood;      // named out-of-distribution sets, scored
  int block_size = 64;                // shuffle unit for streamed sets: blocks of consecutive images
  // Streamed sets: images per shuffle window (src/data/sampler.hpp, Note [Shuffle windows]); 0 =
  // blocks only. 65,536 = 1,024 random blocks of 64: a batch of 64 holds ~62 distinct blocks
  // (authors' 24,415 blocks: 63.9), for 192 MiB of page cache (3 KiB an image) per window.
  std::int64_t shuffle_buffer = 65536;
  int prefetch_batches = 4;           // batches prepared ahead of the training step
  int loader_threads = 2;             // background threads reading, decoding and augmenting
  std::uint64_t seed = 0;             // data order and augmentation; combined with the epoch
};

// [train.outlier]: the outlier loss of method.md §5.
struct OutlierConfig {
  bool enabled = false;
  double weight = 6000.0;             // w
  double temperature = 1000.0;        // T
  std::string general_checkpoint;     // the frozen p_gen
};

// [train]
struct TrainConfig {
  std::string on = "general";         // which source to train on: general or in_dist
  std::int64_t steps = 1000;          // optimiser steps
  int batch_size = 64;                // images per rank per micro-batch
  int accumulation = 1;               // micro-batches per optimiser step (no communication between)
  double lr = 5e-4;
  double weight_decay = 5e-5;         // L2, added to the gradient (Adamax)
  int warmup_steps = 0;               // linear learning-rate warm-up; 0 = none
  double grad_clip = 0.0;             // max global gradient norm; 0 = no clipping
  std::uint64_t seed = 0;             // model initialisation
  std::string init_from;              // checkpoint to fine-tune from (the general model)
  // init_from / outlier.general_checkpoint naming a run: take its newest valid checkpoint, with a
  // warning, when it has not finished or its final checkpoint is corrupt (model_io/checkpoint_lookup)
  bool accept_older_checkpoint = false;
  Backend backend = Backend::automatic;
  double bucket_mb = 25.0;            // gradient allreduce bucket size
  double collective_timeout = 600.0;  // s a collective may wait before the job is aborted; 0 = never
  bool deterministic = true;          // CUDA: deterministic cuDNN algorithms, no autotuning (README)
  int log_every = 10;
  int checkpoint_every = 500;
  int keep_checkpoints = 3;
  int validate_every = 0;             // 0 = no validation
  OutlierConfig outlier;
};

// [score]
struct ScoreConfig {
  std::string checkpoint;             // empty: the final checkpoint of the run being scored
  bool accept_older_checkpoint = false;  // as train.accept_older_checkpoint, for the scored model
  int batch_size = 256;
  std::string output = "scores.h5";   // relative to the run directory
  std::vector<std::string> sets;      // names to score; empty: in_dist_test, every ood set, general
  bool cuda_graph = true;             // CUDA: replay full batches' forward as one captured graph
};

// [analysis]
struct AnalysisConfig {
  std::vector<std::string> scores;    // score kinds (analysis/score_kinds.hpp); empty: the standard set
  std::string in_set = "in_dist_test";  // the in-distribution set the OOD sets are compared with
  std::string general_scores;         // the general model's score file of the same sets (ratio scores)
  std::vector<std::string> runs;      // score files of further runs/seeds to aggregate with this one
  std::string output = "report";      // relative to the run directory
  bool plots = true;                  // draw ROC curves and histograms (matplotlib)
  bool input_complexity = true;       // add Serra et al.'s baseline (re-reads and PNG-encodes the sets)
  // anomalous: non-finite scores count as anomalous (method.md §4); authors: each model's
  // non-finite log p / lp_k replaced by -3e6 first, kinds named "<kind>+nonfinite_-3e6"
  std::string non_finite = "anomalous";
};

struct ExperimentConfig {
  std::string name = "experiment";
  std::string output_dir = "runs";    // runs/<name>/<run-id>/
  ModelConfig model;
  DataConfig data;
  TrainConfig train;
  ScoreConfig score;
  AnalysisConfig analysis;
  std::filesystem::path source;       // the file it was read from (empty for defaults)
};

}  // namespace hierad::config
