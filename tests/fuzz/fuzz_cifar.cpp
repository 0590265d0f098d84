// CIFAR-10 and CIFAR-100 binary batches: the input's first byte picks the kind and how many files
// the rest is split over (their order matters: file_start_). Every image and label of an accepted
// set is read, and labels must be in the documented ranges.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "src/data/cifar.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace hierad;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::InputReader in(data, size);
  const std::uint8_t flags = in.take_u8();
  const auto kind = (flags & 1) ? data::CifarKind::cifar100 : data::CifarKind::cifar10;
  const int file_count = 1 + (flags >> 1) % 3;
  std::vector<std::filesystem::path> files;
  for (int f = 0; f < file_count; ++f) {
    files.push_back(fuzz::scratch_dir() / ("batch_" + std::to_string(f) + ".bin"));
    fuzz::write_file(files.back(), f + 1 < file_count ? in.take_part() : in.rest());
  }
  fuzz::accept_rejection([&] {
    const data::CifarSource source(kind, files);
    std::vector<std::uint8_t> image(static_cast<std::size_t>(source.shape().bytes()));
    const int classes = kind == data::CifarKind::cifar100 ? 100 : 10;
    for (std::int64_t i = 0; i < source.size(); ++i) {
      source.read(i, image.data());
      if (source.label(i) < 0 || source.label(i) >= classes) {
        std::fprintf(stderr, "cifar: label %d of image %lld out of range\n", source.label(i), static_cast<long long>(i));
        std::abort();
      }
    }
  });
  return 0;
}
