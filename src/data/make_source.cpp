#include "src/data/make_source.hpp"

#include "src/util/log.hpp"

#include "src/data/channels.hpp"
#include "src/data/cifar.hpp"
#include "src/data/data_error.hpp"
#include "src/data/file_io.hpp"
#include "src/data/hdf5_images.hpp"
#include "src/data/idx.hpp"
#include "src/data/image_folder.hpp"
#include "src/data/numpy_source.hpp"
#include "src/data/svhn.hpp"
#include "src/data/tiny_images.hpp"


#include <algorithm>
#include <filesystem>
#include <iterator>

namespace hierad::data {

namespace {

std::unique_ptr<Source> open_reader(const config::SourceConfig& c, int channels) {
  const std::filesystem::path path = c.path;
  static const char* const known[] = {"tiny", "cifar10", "cifar100", "svhn", "idx", "folder", "hdf5", "npy", "npz"};
  if (std::find(std::begin(known), std::end(known), c.format) == std::end(known))
    throw DataError(c.path, "unknown source format '" + c.format +
                                "' (expected tiny, cifar10, cifar100, svhn, idx, folder, hdf5, npy or npz)");
  if (c.path.empty()) throw DataError("(no path)", "source of format '" + c.format + "' has an empty path");
  require_exists(path);
  std::error_code ec;
  const bool folder = std::filesystem::is_directory(path, ec);

  if (c.format == "tiny") {
    return std::make_unique<TinyImagesSource>(path, c.exclude, c.io == "pread" ? TinyIo::pread : TinyIo::mmap);
  }
  if (c.format == "cifar10" || c.format == "cifar100") {
    const CifarKind kind = c.format == "cifar10" ? CifarKind::cifar10 : CifarKind::cifar100;
    return std::make_unique<CifarSource>(kind, folder ? cifar_split_files(kind, path, c.split)
                                                      : std::vector<std::filesystem::path>{path});
  }
  if (c.format == "svhn") {
    return std::make_unique<SvhnSource>(folder ? svhn_split_file(path, c.split) : path);
  }
  if (c.format == "idx") {
    if (folder) {
      const IdxSplitFiles files = idx_split_files(path, c.split);
      return std::make_unique<IdxSource>(files.images, c.labels.empty() ? files.labels : std::filesystem::path(c.labels));
    }
    return std::make_unique<IdxSource>(path, c.labels);
  }
  if (c.format == "folder") {
    ImageFolderOptions o;
    o.on_bad_image = c.on_bad_image;
    o.channels = channels;  // decoded to it: no conversion after resizing
    auto source = std::make_unique<ImageFolderSource>(path, o);
    if (!source->skipped().empty()) {
      HIERAD_LOG(warn) << path.string() << ": skipped " << source->skipped().size()
                       << " unreadable image file(s), e.g. " << source->skipped().front().path.string() << ": "
                       << source->skipped().front().reason;
    }
    return source;
  }
  if (c.format == "hdf5") {
    return std::make_unique<Hdf5ImageSource>(path, c.dataset);
  }
  if (c.format == "npy" || c.format == "npz") {
    return std::make_unique<NumpySource>(c.format == "npy" ? NumpyKind::npy : NumpyKind::npz, path, c.dataset);
  }
  throw DataError(path, "unknown source format '" + c.format +
                            "' (expected tiny, cifar10, cifar100, svhn, idx, folder, hdf5, npy or npz)");
}

}  // namespace

std::unique_ptr<Source> make_source(const config::SourceConfig& config, int model_channels) {
  const int channels = config.channels != 0 ? config.channels : model_channels;
  return with_channels(slice(open_reader(config, channels), config.first, config.count), channels);
}

}  // namespace hierad::data
