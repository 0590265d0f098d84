// NumPy sources: .npy arrays and .npz archives (src/data/numpy_source.hpp). The input's first byte
// picks the kind (bit 0: npz) and, for npz, whether the member is looked up by its default names or
// as "x"; the file is the rest. Every image and label of an accepted set is read.
#include <vector>

#include "src/data/numpy_source.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace hierad;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::InputReader in(data, size);
  const std::uint8_t flags = in.take_u8();
  const bool npz = (flags & 1) != 0;
  const auto file = fuzz::scratch_dir() / (npz ? "set.npz" : "set.npy");
  fuzz::write_file(file, in.rest());
  fuzz::accept_rejection([&] {
    const data::NumpySource source(npz ? data::NumpyKind::npz : data::NumpyKind::npy, file,
                                   (flags & 2) != 0 ? "x" : "images");
    std::vector<std::uint8_t> image(static_cast<std::size_t>(source.shape().bytes()));
    for (std::int64_t i = 0; i < source.size(); ++i) {
      source.read(i, image.data());
      (void)source.label(i);
    }
  });
  return 0;
}
