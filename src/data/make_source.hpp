// From a [data.*] source entry of the experiment TOML to a reader.
//
//   format    path                                      also used
//   tiny      tiny_images.bin                           exclude (80mn_cifar_idxs.txt-style list)
//   cifar10   a data_batch_*/test_batch .bin file, or   split (train: data_batch_1..5, test: test_batch)
//             the folder holding them (or its parent)
//   cifar100  train.bin / test.bin, or their folder     split
//   svhn      a *_32x32.mat file, or their folder       split (train, test, extra)
//   idx       an images file (.gz or raw), or an        labels (file; optional), split (train: train-*,
//             MNIST-style folder                         test: t10k-*) for a folder
//   folder    a folder of PNG/JPEG files (recursive)    on_bad_image (fail or skip)
//   hdf5      an .h5 file                               dataset (name of the image dataset)
//   npy       a uint8 .npy array, or a folder of them   (numpy_source.hpp: [N,32,32,C], [N,C,32,32], ...)
//   npz       an .npz archive, or a folder of them      dataset (member; default images, data or arr_0)
// Then every format: `first` and `count` keep images first .. first+count-1 (count -1: all) of
// what the reader yields (for tiny: after the exclusion), and `channels` (else the model's) says how
// many channels the source delivers: RGB sets become grey and grey sets RGB (channels.hpp); a folder
// decodes each file to that count.
#pragma once

#include "src/config/experiment_config.hpp"
#include "src/data/source.hpp"

#include <memory>

namespace hierad::data {

// model_channels for a source without its own `channels`.
inline constexpr int kChannelsAsStored = 0;

// The source of `config`, delivering config.channels channels if set, else `model_channels` (the
// experiment's model.channels; kChannelsAsStored: as the format stores them). Throws DataError
// naming the path for an unknown format and for anything the reader rejects.
std::unique_ptr<Source> make_source(const config::SourceConfig& config, int model_channels);

}  // namespace hierad::data
