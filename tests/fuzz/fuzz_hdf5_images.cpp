// HDF5 image sets (what `hierad convert` writes, or h5py): the input is the file; the dataset is
// "images" (its labels "images_labels"). The first byte of the input picks the output size so
// that the resize path is reached; the file is the rest. Every image of an accepted set is read,
// singly and all at once.
#include <vector>

#include "src/data/hdf5_images.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace hierad;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::InputReader in(data, size);
  const int out_size = 1 + in.take_u8() % 40;
  const auto file = fuzz::scratch_dir() / "images.h5";
  fuzz::write_file(file, in.rest());
  fuzz::accept_rejection([&] {
    const data::Hdf5ImageSource source(file, "images", out_size);
    const std::size_t bytes = static_cast<std::size_t>(source.shape().bytes());
    if (source.size() > 4096) return;  // a plausible header over a short file: read_many would allocate it all
    std::vector<std::uint8_t> all(bytes * static_cast<std::size_t>(source.size()));
    source.read_many(0, source.size(), all.data());
    for (std::int64_t i = 0; i < source.size(); ++i) {
      source.read(i, all.data());
      (void)source.label(i);
    }
  });
  return 0;
}
