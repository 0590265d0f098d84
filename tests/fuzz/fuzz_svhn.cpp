// SVHN .mat files through libmatio: the input is the file. Every image and label of an accepted
// file is read; labels must be 0..9 (10 in the file stands for the digit 0).
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "src/data/svhn.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace hierad;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto file = fuzz::scratch_dir() / "train_32x32.mat";
  fuzz::write_file(file, data, size);
  fuzz::accept_rejection([&] {
    const data::SvhnSource source(file);
    std::vector<std::uint8_t> image(static_cast<std::size_t>(source.shape().bytes()));
    for (std::int64_t i = 0; i < source.size(); ++i) {
      source.read(i, image.data());
      if (source.label(i) < 0 || source.label(i) > 9) {
        std::fprintf(stderr, "svhn: label %d out of range\n", source.label(i));
        std::abort();
      }
    }
  });
  return 0;
}
