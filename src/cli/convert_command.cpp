// `hierad convert`: any image source hierad reads, written as a plain HDF5 image dataset
// (src/data/hdf5_images.hpp) that h5py users and every hierad stage can read directly.
#include "src/cli/commands.hpp"
#include "src/cli/exit_codes.hpp"
#include "src/config/experiment_config.hpp"
#include "src/data/hdf5_images.hpp"
#include "src/data/make_source.hpp"
#include "src/util/log.hpp"

#include <mpi.h>

#include <memory>
#include <string>

namespace hierad::cli {
namespace {

struct ConvertArgs {
  config::SourceConfig source;
  std::string output;
  std::string dataset = "images";
  std::string layout = "nchw";
  std::string on_bad_image = "fail";
};

int run_convert(const ConvertArgs& args) {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank != 0) return kExitOk;  // one writer; the work is I/O bound
  config::SourceConfig source_config = args.source;
  source_config.on_bad_image = args.on_bad_image == "skip" ? config::OnBadImage::skip : config::OnBadImage::fail;
  const auto source = data::make_source(source_config, data::kChannelsAsStored);
  HIERAD_LOG(info) << "converting " << source->name() << " (" << source->size() << " images) into "
                   << args.output;
  std::int64_t next_report = 0;
  data::write_hdf5_images(*source, args.output, args.dataset,
                          args.layout == "nhwc" ? data::ImageLayout::nhwc : data::ImageLayout::nchw,
                          [&next_report](std::int64_t done, std::int64_t total) {
                            if (done >= next_report || done == total) {
                              HIERAD_LOG(info) << done << " / " << total << " images";
                              next_report = done + total / 10 + 1;
                            }
                          });
  HIERAD_LOG(info) << "wrote " << args.output << " (dataset /" << args.dataset << ", "
                   << (args.layout == "nhwc" ? "NHWC" : "NCHW") << ")";
  return kExitOk;
}

}  // namespace

Command add_convert_command(CLI::App& parent) {
  auto args = std::make_shared<ConvertArgs>();
  CLI::App* app = parent.add_subcommand(
      "convert", "Write an image source (Tiny Images, CIFAR, SVHN, IDX, an image folder, HDF5, NumPy) as a\n"
                 "plain HDF5 image dataset, uint8 [N,C,H,W] or [N,H,W,C] (src/data/hdf5_images.hpp).\n"
                 "The options mirror a [data.*] source of an experiment file. Takes no TOML file.");
  config::SourceConfig& s = args->source;
  app->add_option("--format", s.format, "tiny, cifar10, cifar100, svhn, idx, folder, hdf5, npy or npz")
      ->required()
      ->check(CLI::IsMember({"tiny", "cifar10", "cifar100", "svhn", "idx", "folder", "hdf5", "npy", "npz"}));
  app->add_option("--path", s.path, "file or folder of the source")->required();
  app->add_option("--split", s.split, "train or test (folder-shaped sets)")->capture_default_str();
  app->add_option("--labels", s.labels, "idx: label file");
  app->add_option("--exclude", s.exclude, "tiny: 1-based exclusion list");
  app->add_option("--dataset", args->dataset, "dataset name in the output file")->capture_default_str();
  app->add_option("--input-dataset", s.dataset,
                  "hdf5: the dataset to read; npz: the member (default images, else data or arr_0)")
      ->capture_default_str();
  app->add_option("--first", s.first, "first image")->capture_default_str();
  app->add_option("--count", s.count, "images from --first on; -1 = all")->capture_default_str();
  app->add_option("--channels", s.channels,
                  "channels written: 1 grey (RGB converted with 0.2989 R + 0.5870 G + 0.1140 B), 3 RGB "
                  "(grey copied), 0 as the source stores them")
      ->capture_default_str()
      ->check(CLI::IsMember({0, 1, 3}));
  app->add_option("--on-bad-image", args->on_bad_image, "folder: fail or skip unreadable images")
      ->capture_default_str()
      ->check(CLI::IsMember({"fail", "skip"}));
  app->add_option("--layout", args->layout, "nchw or nhwc")->capture_default_str()->check(CLI::IsMember({"nchw", "nhwc"}));
  app->add_option("output", args->output, "the HDF5 file to write")->required();
  return {app, [args] { return run_convert(*args); }};
}

}  // namespace hierad::cli
